"""Every page of the tour passes axe-core's WCAG 2.0 and 2.1 A and AA rules, on a desktop and on a
phone: contrast, labels, landmarks, names of buttons and links. Every reference from one element to
another (aria-describedby, aria-labelledby, aria-controls, a label's for) finds its element, which
axe only flags for review. The keyboard reaches the content past the menu in one step.

axe-core is vendored in tests/browser/vendor/axe-core (the tests run without internet). It is added
as an init script, which Chromium runs outside the page's Content Security Policy: the inline
<script> that `page.add_script_tag` makes would be refused by the policy, and the policy stays on and
watched as in every browser test."""

import re
from pathlib import Path

import pytest
from django import forms
from django.template.loader import render_to_string

from operations.demo_data import seed_demo_city
from tests.browser.tour import TOUR, walk

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || "").split("\\n").slice(1).join(" ").trim()})),
  }));
}"""

DANGLING_REFERENCES = """() => {
  const missing = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "for"]) {
    for (const el of document.querySelectorAll(attr === "for" ? "label[for]" : `[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push(`${attr}="${id}" on ${el.outerHTML.slice(0, 120)}`);
      }
    }
  }
  return missing;
}"""


def _report(found: dict[str, list[dict]]) -> str:
    lines = []
    for page, violations in found.items():
        for v in violations:
            lines.append(f"{page}: {v['id']} ({v['impact']}, {len(v['nodes'])}×) {v['help']}")
            lines += [f"    {n['target']}  {n['html']}\n      {n['summary']}" for n in v["nodes"][:5]]
    return "\n".join(lines)


@pytest.fixture
def axe_page(portal):
    portal.context.add_init_script(path=str(AXE))
    return portal


def test_every_page_of_the_tour_passes_axe(axe_page, reference_data):
    seed_demo_city()
    found, dangling = {}, {}
    for stop in walk(axe_page):
        where = f"{stop.name} ({stop.viewport[0]}px)"
        if violations := axe_page.evaluate(RUN_AXE, WCAG_AA):
            found[where] = violations
        if missing := axe_page.evaluate(DANGLING_REFERENCES):
            dangling[where] = missing
    assert not found, "axe-core found WCAG A/AA violations:\n" + _report(found)
    assert not dangling, f"references to elements that are not on the page: {dangling}"


def test_the_first_tab_skips_to_the_content(portal, reference_data):
    seed_demo_city()
    page = portal
    next(walk(page, [stop for stop in TOUR if stop.name == "07-town-duty-records"]))
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "跳到主要内容"
    assert skip.is_visible(), "the skip link shows when it has the focus"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab goes to the page's own first link, not back into the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('nav.portal-navbar')") is None


class _Form(forms.Form):
    name = forms.CharField(label="名称", help_text="填写全称。")
    agreed = forms.BooleanField(label="已核对", help_text="核对后勾选。")


@pytest.mark.parametrize("template", ["includes/form_field.html", "assessment/_field_sm.html"])
def test_a_field_points_only_at_help_and_errors_that_are_rendered(template):
    form = _Form(data={})
    for name in ("name", "agreed"):
        html = render_to_string(template, {"field": form[name]})
        described = re.search(r'aria-describedby="([^"]+)"', html).group(1).split()
        assert described == [f"id_{name}_helptext", f"id_{name}_error"]
        for ref in described:
            assert f'id="{ref}"' in html, (template, ref, html)
