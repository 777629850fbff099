"""Sphinx configuration of glorot_numba's documentation site.

Build it with ``bash .ci/docs`` (warnings are errors), or by hand:
``sphinx-build -W --keep-going -b html docs docs/_build/html``.
The pages are Markdown (MyST); the API reference is generated from the
numpydoc docstrings of the package.  Nothing is fetched from the network
at build time.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Document the source tree this file belongs to, not another installed copy.
sys.path.insert(0, str(ROOT))
# Keras reads its backend once, at import; the adapters are documented on JAX
# (TensorFlow, Keras' default backend, is not a dependency).
os.environ.setdefault("KERAS_BACKEND", "jax")

import glorot_numba  # noqa: E402

project = "glorot_numba"
author = "the glorot_numba developers"
copyright = "the glorot_numba developers; BSD-3-Clause"
version = release = glorot_numba.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinxarg.ext",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
]

myst_enable_extensions = []
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Docstrings are checked by the doctests (every public function has a
# runnable example); the site only renders them.
numpydoc_validation_checks = set()

html_theme = "pydata_sphinx_theme"
html_title = "glorot_numba"
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = []


# Pages the site publishes without listing them in a table of contents: the
# raw output of the audit run that auditing.md links to.  It is generated
# (``glorot-numba audit > audit-output.md``), so the mark is added here
# rather than written into the file.
ORPHANS = {"audit/audit-output"}


def _mark_orphans(app, docname, source):
    if docname in ORPHANS:
        source[0] = "---\norphan: true\n---\n" + source[0]


def setup(app):
    app.connect("source-read", _mark_orphans)
