"""``python -m custlab run ...``: see :mod:`custlab.runner`."""

import sys

from custlab.runner import main

sys.exit(main())
