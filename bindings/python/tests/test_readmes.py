"""The READMEs' pytest examples, run as they are written (the root README's and this
package's), with the fixture a reader's test run would give them."""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
READMES = [HERE.parent.parent.parent / "README.md", HERE.parent / "README.md"]


@pytest.mark.parametrize("readme", READMES, ids=["root", "package"])
def test_the_readme_example_passes(readme, cognito_server):
    text = readme.read_text()
    start = text.index("```python\ndef test_") + len("```python\n")
    block = text[start:text.index("```", start)]
    scope = {}
    exec(compile(block, str(readme), "exec"), scope)
    [test] = [value for name, value in scope.items() if name.startswith("test_")]
    test(cognito_server)
