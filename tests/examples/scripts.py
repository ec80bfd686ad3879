"""Load a script from examples/ as a module (the scripts are not a package)."""
import importlib.util
import pathlib

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_example_on_torch(name):
    """The same script with its top-level minigrad imports swapped for PyTorch's
    (``import minigrad as torch`` -> ``import torch``, ``from minigrad import nn`` ->
    ``from torch import nn``, ...): the rest of the source runs unchanged."""
    import types
    path = EXAMPLES / f"{name}.py"
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith(("import minigrad", "from minigrad")):
            line = line.replace("minigrad", "torch", 1)
        lines.append(line)
    module = types.ModuleType(f"example_{name}_on_torch")
    module.__file__ = str(path)
    exec(compile("\n".join(lines), str(path), "exec"), module.__dict__)
    return module
