"""Accessibility checks in the browser tests: axe-core (vendored under tests/e2e/vendor/, a
test asset the app never serves) run on the page as it is, failing on serious and critical
violations; and keyboard reachability with a visible focus."""

from __future__ import annotations

import hashlib
from pathlib import Path

from playwright.sync_api import Locator, Page

AXE = Path(__file__).with_name("e2e") / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
BLOCKING = ("serious", "critical")
# WCAG 2.1 A and AA plus axe's best practices (landmarks, heading order, one h1, …).
_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def _axe_source() -> str:
    source = AXE.read_bytes()
    # The pinned file, not whatever happens to lie there (VERSIONS records the same digest).
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, "tests/e2e/vendor/axe-core changed"
    return source.decode("utf-8")


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    violations = page.evaluate(_RUN)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"accessibility violations on {page.url}: {blocking}"


def tab_to(page: Page, target: Locator, max_tabs: int = 60) -> None:
    """Press Tab from the top of the page until ``target`` has the focus, then check that the
    focus is visible (an outline drawn by :focus-visible). Fails when Tab never gets there."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    handle = target.element_handle()
    assert handle is not None
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            outline = page.evaluate(
                "(el) => { const s = getComputedStyle(el);"
                " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }",
                handle,
            )
            assert outline[0] != "none", f"no visible focus on {target}"
            assert outline[1] >= 2, f"focus outline too thin on {target}: {outline}"
            return
    raise AssertionError(f"Tab never reached {target} in {max_tabs} presses")
