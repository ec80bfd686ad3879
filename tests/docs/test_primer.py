"""docs/primer.md stays true: every number block in it is exactly what
examples/primer_numbers.py prints today (the script computes them with minigrad and
asserts each textbook recipe equals backward()), and its links resolve."""
import importlib.util
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _numbers():
    spec = importlib.util.spec_from_file_location("primer_numbers", ROOT / "examples" / "primer_numbers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_number_block_in_the_primer_matches_the_script_exactly():
    numbers = _numbers()
    text = (ROOT / "docs" / "primer.md").read_text(encoding="utf-8")
    in_doc = numbers.doc_blocks(text)
    computed = numbers.all_blocks()
    assert sorted(in_doc) == sorted(computed), "a block is missing from docs/primer.md or the script"
    assert text.count("<!-- primer_numbers:") == len(computed)
    for name, body in computed.items():
        assert in_doc[name] == body, (
            f"docs/primer.md block {name!r} differs from examples/primer_numbers.py; run "
            "python examples/primer_numbers.py --update docs/primer.md")


def test_the_block_parser_sees_a_changed_number():
    numbers = _numbers()
    doc = "<!-- primer_numbers: maxpool -->\n```text\n" + numbers.block_maxpool() + "\n```\n"
    assert numbers.doc_blocks(doc)["maxpool"] == numbers.block_maxpool()
    changed = doc.replace("  4  5", "  4  6", 1)
    assert changed != doc and numbers.doc_blocks(changed)["maxpool"] != numbers.block_maxpool()
    empty = "<!-- primer_numbers: a -->\n```text\n```\n\n<!-- primer_numbers: b -->\n```text\nx\n```"
    assert numbers.doc_blocks(empty) == {"a": "", "b": "x"}


def test_primer_links_resolve_and_it_is_linked_from_readme_and_derivations():
    text = (ROOT / "docs" / "primer.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if "://" not in target:
            assert (ROOT / "docs" / target).resolve().exists(), target
    assert "docs/primer.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "primer.md" in (ROOT / "docs" / "derivations.md").read_text(encoding="utf-8")
