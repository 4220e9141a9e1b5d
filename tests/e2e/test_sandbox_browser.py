"""The sandbox's page in a real browser (the OS's Chromium, driven by Playwright): the program's story
from an application to a benefit, every step through the page as a person would take it.

Screenshots go to the test's folder, or to SANDBOX_SCREENSHOTS (e.g. docs/images) when set. Without
Chromium the test fails in CI and is skipped, saying why, on a developer's machine.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bot.sandbox import web
from bot.sandbox.app import Sandbox
from bot.sandbox.seed import NEWCOMER, TSC_USER
from bot.settings import Settings
from bot.slack.server import BackgroundServer

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
# The page waits on the bot, which shares two cores with the rest of the suite's workers: a patient
# wait costs nothing when the page is quick and keeps a loaded machine from failing the story.
WAIT_MS = 20000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    running = Sandbox(settings, f"sqlite:///{tmp_path}/sandbox.db", start_at=START).start()
    yield running
    running.stop()


@pytest.fixture
def page(browser: Browser, sandbox: Sandbox) -> Iterator[Page]:
    server = BackgroundServer(web.application(sandbox), threads=8).start()
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(server.url + "/")
    yield opened
    context.close()
    server.stop()
    assert errors == [], f"the page's script failed: {errors}"


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SANDBOX_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page: Page, path: Path) -> None:
    page.locator("#toasts").evaluate("node => node.replaceChildren()")
    page.screenshot(path=str(path))


def act_as(page: Page, user_id: str) -> None:
    page.select_option("#person", user_id)
    expect(page.locator("#person")).to_have_value(user_id)
    # Their workspace drawn, not only asked for: a click meanwhile could land on the one before.
    expect(page.locator("body")).to_have_attribute("data-me", user_id)


def open_channel(page: Page, name: str) -> None:
    page.click(f'[data-testid="channel-{name}"]')
    expect(page.locator("#conversation-header")).to_contain_text(f"# {name}")


def open_app(page: Page, tab: str) -> None:
    page.click('[data-testid="nav-home"]')
    page.click(f'.tab[data-tab="{tab}"]')


def type_command(page: Page, text: str) -> None:
    page.fill("#composer", text)
    page.press("#composer", "Enter")


def modal_field(page: Page, block_id: str) -> str:
    return f'#modal .input-block[data-block-id="{block_id}"] .element'


def click_and_confirm(page: Page, button: Locator) -> None:
    """Click a button that asks first (its `confirm` dialog), and agree."""
    button.click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.click("#confirm-ok")


def go_to(page: Page, when: str) -> None:
    page.click("#goto")
    page.fill("#goto-when", when)
    page.click("#goto-go")


def test_the_whole_story_in_the_browser(page: Page, sandbox: Sandbox, tmp_path: Path) -> None:
    folder = shots(tmp_path)
    messages = page.locator("#messages")
    modal = page.locator("#modal")

    # A newcomer opens the bot's Home and applies through the modal.
    act_as(page, NEWCOMER)
    open_app(page, "home")
    expect(page.locator("#home")).to_contain_text("The ambassador program", timeout=WAIT_MS)
    page.click('#home button[data-action-id="application_open"]')
    expect(page.locator(modal_field(page, "title"))).to_be_visible(timeout=WAIT_MS)
    page.fill(modal_field(page, "name"), "Nora Newcomer")
    page.fill(modal_field(page, "title"), "Developer advocate")
    page.fill(modal_field(page, "company"), "Eventful Ltd")
    page.fill(modal_field(page, "bio"), "Nora writes and speaks about event-driven APIs.")
    page.fill(modal_field(page, "github"), "noranewcomer")
    page.fill(
        modal_field(page, "contributions"),
        "talk https://youtu.be/nora1 2026-02 AsyncAPI at DevFest\n"
        "article https://example.org/nora/asyncapi-3 2026-01 What is new in AsyncAPI 3\n"
        "video https://youtu.be/nora2 2025-11 AsyncAPI in ten minutes\n"
        "workshop https://example.org/nora/workshop 2025-10 Hands-on AsyncAPI",
    )
    page.fill(modal_field(page, "motivation"), "To help more teams document their events.")
    screenshot(page, folder / "sandbox-application.png")
    page.click("#modal-submit")
    expect(page.locator("#modal-backdrop")).to_be_hidden(timeout=WAIT_MS)

    # A TSC member approves it in the review channel.
    act_as(page, TSC_USER)
    open_channel(page, "ambassador-review")
    review = messages.locator('[data-testid="message"]', has_text="Nora Newcomer").last
    expect(review).to_contain_text("Developer advocate", timeout=WAIT_MS)
    click_and_confirm(page, review.locator('button[data-action-id="application_approve"]'))
    expect(review).to_contain_text("Approved", timeout=WAIT_MS)
    expect(review.locator('button[data-action-id="application_approve"]')).to_have_count(0)

    # The welcome DM arrives; the next day's announce job posts the announcement.
    act_as(page, NEWCOMER)
    open_app(page, "messages")
    expect(messages).to_contain_text("Welcome", timeout=WAIT_MS)
    go_to(page, "2026-03-16T10:00")
    open_channel(page, "announcements")
    expect(messages).to_contain_text("Nora Newcomer", timeout=WAIT_MS)

    # The new ambassador logs a contribution inline (one from before the term: kept, not counted)…
    open_app(page, "messages")
    type_command(
        page, "/ambassador log talk https://example.org/nora/meetup 2026-01-20 AsyncAPI & friends meetup"
    )
    expect(messages.locator(".message.ephemeral").last).to_contain_text(
        "AsyncAPI & friends meetup", timeout=WAIT_MS
    )
    # …and one through the modal, where a bad link gets its field error first.
    type_command(page, "/ambassador log")
    expect(page.locator(modal_field(page, "title"))).to_be_visible(timeout=WAIT_MS)
    page.select_option(modal_field(page, "type"), "article")
    # Picking a type redraws the form with that type's impact fields: wait for it before typing on.
    expect(modal).to_contain_text("Audience (readers)", timeout=WAIT_MS)
    page.fill(modal_field(page, "title"), "Why our team adopted AsyncAPI")
    page.fill(modal_field(page, "link"), "ftp://example.org/nora/why")
    page.click("#modal-submit")
    expect(modal.locator('[data-testid="field-error"]')).to_contain_text("http", timeout=WAIT_MS)
    screenshot(page, folder / "sandbox-field-error.png")
    page.fill(modal_field(page, "link"), "https://example.org/nora/why")
    page.click("#modal-submit")
    expect(page.locator("#modal-backdrop")).to_be_hidden(timeout=WAIT_MS)
    expect(messages.locator(".message.ephemeral").last).to_contain_text(
        "Why our team adopted AsyncAPI", timeout=WAIT_MS
    )

    # The Home tab shows the progress.
    open_app(page, "home")
    expect(page.locator("#home")).to_contain_text("1 of 4 contributions this term", timeout=WAIT_MS)
    screenshot(page, folder / "sandbox-home.png")

    # Eight months on, the pace reminder arrives; with nothing logged since March, in the same message
    # as the inactivity notice.
    go_to(page, "2026-11-16T10:00")
    open_app(page, "messages")
    reminder = messages.locator('[data-testid="message"]').last
    expect(reminder).to_contain_text("2 expected by now", timeout=WAIT_MS)
    expect(reminder).to_contain_text("since we last heard of your ambassador work")

    # The yearly verification proposed the sample terms that ended short: the TSC decides with the
    # proposals' buttons, and the list is redrawn in place.
    act_as(page, TSC_USER)
    open_channel(page, "ambassador-review")
    # The monthly program report came with its chart, an image as Slack shows a shared file.
    chart = messages.locator('img[data-testid="file"]').last
    expect(chart).to_be_visible(timeout=WAIT_MS)
    expect(chart).to_have_js_property("naturalWidth", 800, timeout=WAIT_MS)
    more_days = 'button[data-action-id="proposal_more_days"]'
    proposals = messages.locator('[data-testid="message"]', has=page.locator(more_days)).last
    expect(proposals.locator('button[data-action-id="proposal_emeritus"]').first).to_be_visible(
        timeout=WAIT_MS
    )
    before = proposals.locator(more_days).count()
    proposals.locator(more_days).first.click()
    expect(proposals).to_contain_text("more days by", timeout=WAIT_MS)
    expect(proposals.locator(more_days)).to_have_count(before - 1)
    act_as(page, NEWCOMER)

    # A benefit is requested, and approved by the TSC.
    open_app(page, "home")
    page.click('#home button[data-action-id="benefit_request_open"]', timeout=WAIT_MS)
    expect(page.locator(modal_field(page, "ship_name"))).to_be_visible(timeout=WAIT_MS)
    page.fill(modal_field(page, "ship_name"), "Nora Newcomer")
    page.fill(modal_field(page, "ship_address"), "1 Harbour Street, 1100-001 Lisbon")
    page.fill(modal_field(page, "ship_country"), "Portugal")
    page.click("#modal-submit")
    expect(modal).to_contain_text("is with the TSC", timeout=WAIT_MS)
    page.click("#modal-close")
    act_as(page, TSC_USER)
    open_channel(page, "ambassador-review")
    request = messages.locator('[data-testid="message"]', has_text="swag pack").last
    click_and_confirm(page, request.locator('button[data-action-id="benefit_approve"]'))
    expect(request).to_contain_text("Approved", timeout=WAIT_MS)
    screenshot(page, folder / "sandbox-review.png")
    act_as(page, NEWCOMER)
    open_app(page, "messages")
    expect(messages.locator('[data-testid="message"]').last).to_contain_text("approved", timeout=WAIT_MS)
    assert not page.locator("#refusals").is_visible(), page.locator("#refusals").inner_text()


def test_mrkdwn_is_drawn_as_slack_draws_it_and_never_as_markup(page: Page) -> None:
    expect(page.locator("#person")).to_have_value(NEWCOMER)
    cases = {
        "*bold* _italic_ ~gone~ `code`": "<b>bold</b> <i>italic</i> <s>gone</s> <code>code</code>",
        "<https://example.org/a?b=1&amp;c=2|the &lt;link&gt;>": (
            '<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">'
            "the &lt;link&gt;</a>"
        ),
        f"<@{TSC_USER}>": f'<span class="mention" data-user="{TSC_USER}">@Tess Council</span>',
        "<#C0REVIEW>": '<span class="mention">#ambassador-review</span>',
        ":tada: :no_such_emoji:": "🎉 :no_such_emoji:",
        "&lt;script&gt;alert(1)&lt;/script&gt; <javascript:alert(1)|click>": (
            '&lt;script&gt;alert(1)&lt;/script&gt; <a href="#" target="_blank" rel="noopener noreferrer">click</a>'
        ),
        ">quoted": "<blockquote>quoted</blockquote>",
        "<!date^1773568800^{date_short_pretty} at {time}|2026-03-15 10:00 UTC>": "Mar 15, 2026 at 10:00 AM",
    }
    for source, html in cases.items():
        drawn = page.evaluate(
            """async (source) => {
                const kit = await import("/static/blockkit.js");
                const ctx = {people: {U0TSCCHAIR: {name: "Tess Council"}}, channels: {C0REVIEW: "ambassador-review"},
                             me: "U0NEWCOMER", tz: "UTC"};
                return kit.mrkdwn(source, ctx);
            }""",
            source,
        )
        assert drawn == html, (source, drawn)


def test_a_call_slack_refuses_is_shown_loudly(page: Page, sandbox: Sandbox) -> None:
    blocks = [{"type": "divider"}] * 51
    answer = sandbox.standin.answer_or_error(
        "chat.postMessage",
        {"channel": "C0GENERAL", "text": "too long", "blocks": blocks},
        sandbox.settings.slack_bot_token,
    )

    assert answer["error"] == "invalid_blocks"
    expect(page.locator("#refusals")).to_contain_text("chat.postMessage", timeout=WAIT_MS)
    expect(page.locator("#refusals")).to_contain_text("no more than 50 items allowed")
