"""Collection rules for the one pytest session of `make test`.

The notebooks' .py twins are for reading and review; nbval runs the .ipynb files. With
--doctest-modules pytest would import (and so execute) the twins: keep them out.
"""

collect_ignore_glob = ["notebooks/*.py", "notebooks/**/*.py", "benchmarks/*", "data/*", "build/*"]
