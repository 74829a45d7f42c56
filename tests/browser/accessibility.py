"""Accessibility checks run in the page: every form control has a label, every button and link a name, no
positive tabindex (keyboard order follows the page), one h1, and the page's language declared."""

from __future__ import annotations

from playwright.async_api import Page

_PROBLEMS = """() => {
  const found = [];
  const visible = (el) => !el.closest('[aria-hidden="true"]') && el.type !== 'hidden';
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (!visible(el)) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby');
    if (!named) found.push('no label: ' + (el.name || el.id || el.outerHTML.slice(0, 80)));
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (!visible(el)) continue;
    if (!(el.textContent.trim() || el.getAttribute('aria-label'))) found.push('no name: ' + el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('[tabindex]')) {
    if (parseInt(el.getAttribute('tabindex'), 10) > 0) found.push('positive tabindex: ' + el.outerHTML.slice(0, 80));
  }
  if (document.querySelectorAll('h1').length !== 1) found.push('h1 count: ' + document.querySelectorAll('h1').length);
  if (!document.documentElement.lang) found.push('no lang on <html>');
  const ids = {};
  for (const el of document.querySelectorAll('[id]')) { ids[el.id] = (ids[el.id] || 0) + 1; }
  for (const [id, count] of Object.entries(ids)) { if (count > 1) found.push('duplicate id: ' + id); }
  return found;
}"""


async def accessibility_problems(page: Page) -> list[str]:
    problems: list[str] = await page.evaluate(_PROBLEMS)
    return problems


async def first_tab_stop(page: Page) -> str:
    """What the keyboard reaches first: it must be the skip link, so keyboard users pass the header."""
    await page.keyboard.press("Tab")
    return str(await page.evaluate("() => document.activeElement.className + ':' + document.activeElement.textContent"))
