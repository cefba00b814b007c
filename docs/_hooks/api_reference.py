"""MkDocs hook: one API reference page per public module of ``gemini_live``, built at build time.

The modules are found by walking the package (private ``_x`` modules and ``__main__`` left out),
so a module that is added, renamed or removed changes the reference on the next build without
anyone editing the docs. Each page is a mkdocstrings ``:::`` directive that renders the module's
docstring and its public names (``__all__``) from their docstrings.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

PACKAGE = "gemini_live"
SECTION = "API reference"
INDEX = "reference/index.md"


def public_modules() -> list[str]:
    """Dotted names of the package's public modules, parents before children.

    Found from the files, without importing anything: modules of extras that are not installed
    (``[web]``, ``[audio]``, ...) are documented too (mkdocstrings reads the source).
    """
    spec = importlib.util.find_spec(PACKAGE)
    assert spec is not None and spec.submodule_search_locations, f"{PACKAGE} is not installed"
    root = Path(next(iter(spec.submodule_search_locations)))
    names = []
    for path in root.rglob("*.py"):
        parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        if any(part.startswith("_") for part in parts[1:]):
            continue
        names.append(".".join(parts))
    return sorted(names)


def _page(module: str) -> str:
    return f"reference/{module}.md"


def on_config(config: MkDocsConfig, **kwargs: Any) -> MkDocsConfig:
    """Expand the "API reference" nav entry into the index plus one page per module."""
    nav = config.nav or []
    for i, entry in enumerate(nav):
        if isinstance(entry, dict) and SECTION in entry:
            children: list[Any] = [{"Overview": INDEX}]
            children += [{module: _page(module)} for module in public_modules()]
            nav[i] = {SECTION: children}
    return config


def on_files(files: Files, config: MkDocsConfig, **kwargs: Any) -> Files:
    """Add the generated pages (they exist only in the build, never in the repository)."""
    modules = public_modules()
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings, one page per module. The names most programs need are",
        "re-exported by the package itself: start with [`gemini_live`](gemini_live.md).",
        "",
    ]
    lines += [f"- [`{module}`]({module}.md)" for module in modules]
    files.append(File.generated(config, INDEX, content="\n".join(lines) + "\n"))
    for module in modules:
        content = f"# `{module}`\n\n::: {module}\n    options:\n      show_root_heading: false\n"
        files.append(File.generated(config, _page(module), content=content))
    return files
