"""The README's Python snippets run, in order, as a reader would paste them."""
import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_snippets_run():
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(), re.S | re.M)
    assert len(blocks) >= 3   # top-level blocks only: indented ones are library excerpts
    namespace = {"np": np}
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md python block {i}", "exec"), namespace)
    assert namespace["w"].grad.shape == (4, 3)
