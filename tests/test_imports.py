"""`import custlab` loads no heavy library; each public name still resolves on first use.

Each check runs in a fresh interpreter: this test session has long since imported
matplotlib, pandas and the rest, so its own ``sys.modules`` says nothing.
"""

import json
import subprocess
import sys
import textwrap

HEAVY = ["matplotlib.pyplot", "matplotlib", "scipy", "sklearn", "lifelines", "pandas", "polars"]


def run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON value, returned here."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_loads_no_heavy_library():
    loaded = run(f"""
        import json, sys
        import custlab
        print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
    """)
    assert loaded == []


def test_light_submodule_loads_no_model_or_picture_library():
    loaded = run("""
        import json, sys
        import custlab.summaries
        print(json.dumps([m for m in ("matplotlib", "scipy.optimize", "sklearn", "lifelines") if m in sys.modules]))
    """)
    assert loaded == []


def test_names_are_the_objects_of_their_modules():
    same = run("""
        import json
        import custlab
        from custlab.summaries import rfm_summary
        from custlab.models.bgnbd import BetaGeo
        from custlab.plotting import plot_tracking
        from custlab.lifecycle.states import lifecycle_states
        print(json.dumps({
            "rfm_summary": custlab.rfm_summary is rfm_summary,
            "BetaGeo": custlab.BetaGeo is BetaGeo,
            "plot_tracking": custlab.plot_tracking is plot_tracking,
            "lifecycle_states": custlab.lifecycle.lifecycle_states is lifecycle_states,
        }))
    """)
    assert same == dict.fromkeys(same, True)


def test_every_public_name_resolves():
    result = run("""
        import json
        import custlab
        missing = []
        for name in custlab.__all__:
            try:
                getattr(custlab, name)
            except AttributeError:
                missing.append(name)
        print(json.dumps({"missing": missing, "not_in_dir": sorted(set(custlab.__all__) - set(dir(custlab))),
                          "version": custlab.__version__}))
    """)
    assert result == {"missing": [], "not_in_dir": [], "version": "0.1.0"}


def test_every_public_name_of_the_subpackages_resolves():
    missing = run("""
        import importlib, json
        missing = []
        for package in ("models", "lifecycle", "retention", "experiments", "feedback", "simulate", "runner",
                        "plotting"):
            module = importlib.import_module(f"custlab.{package}")
            missing += [f"{package}.{name}" for name in module.__all__ if not hasattr(module, name)]
            missing += [f"{package}.{name} (dir)" for name in module.__all__ if name not in dir(module)]
        print(json.dumps(missing))
    """)
    assert missing == []


def test_a_submodule_import_leaves_the_function_of_the_same_name():
    # custlab.lifecycle.funnel and custlab.experiments.power are modules and functions of their package.
    kinds = run("""
        import json, types
        import custlab.lifecycle.funnel
        import custlab.experiments.power
        import custlab.lifecycle, custlab.experiments
        from custlab.lifecycle import funnel
        print(json.dumps([callable(custlab.lifecycle.funnel), callable(custlab.experiments.power), callable(funnel),
                          isinstance(custlab.lifecycle.funnel, types.ModuleType)]))
    """)
    assert kinds == [True, True, True, False]


def test_unknown_name_is_an_attribute_error():
    message = run("""
        import json
        import custlab
        try:
            custlab.no_such_name
        except AttributeError as error:
            print(json.dumps(str(error)))
    """)
    assert message == "module 'custlab' has no attribute 'no_such_name'"
