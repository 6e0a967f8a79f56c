"""A journalist searches, narrows, opens a result, copies its citation and exports the results."""

import csv
import io

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_journalist_searches_narrows_cites_and_exports(page, live_server, assert_accessible):
    from apps.archive.models import SourceArticle
    from apps.timeline.seeding import story_seed

    story_seed()
    article = (
        SourceArticle.objects.published()
        .select_related("outlet")
        .get(title__startswith="Alyssa Milano Starts")
    )
    outlet = article.outlet.name
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    page.goto("/")
    page.get_by_role("link", name="Search").first.click()
    page.get_by_label("Search posts, articles, events and accounts").fill("Weinstein")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search/?q=Weinstein*")
    assert page.locator("#result-count").inner_text() != "0"
    assert page.locator("mark").first.inner_text().lower() == "weinstein"
    assert_accessible(page)

    # Narrow by outlet (a facet link), then by date (the filter form).
    page.get_by_role("navigation", name="Outlet").get_by_role("link", name=outlet).click()
    page.wait_for_url(f"**outlet={article.outlet_id}*")
    page.get_by_label("From (on or after)").fill("2017-10-16")
    page.get_by_label("To (up to and including)").fill("2017-10-16")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**date_to=2017-10-16*")
    assert page.locator("#result-count").inner_text() == "1"
    search_url = page.url

    # Open the result and copy its citation.
    page.locator(".result-title a").first.click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.get_by_role("heading", name="Cite this article").is_visible()
    citation = page.get_by_label("APA", exact=True)
    citation.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Control+C")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert article.title in copied and outlet in copied
    assert article.canonical_url in copied or (article.url and article.url in copied)

    # Back to the narrowed results, export them as CSV and read the file.
    page.goto(search_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export the results as CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.DictReader(io.StringIO(exported.read())))
    assert [row["title"] for row in rows] == [article.title]
    assert rows[0]["outlet"] == outlet
    assert rows[0]["permalink"].endswith(article.get_absolute_url())
    assert {"original_url", "captured_at", "content_sha256"} <= set(rows[0])


def test_the_timeline_chart_is_reachable_by_keyboard_and_accessible(page, assert_accessible):
    from apps.timeline.seeding import story_seed

    story_seed()
    page.goto("/timeline/?period=2017-10")
    assert page.get_by_role("heading", name="Volume of posts: October 2017").is_visible()
    bar = page.locator(".volume-chart svg a").first
    bar.focus()
    assert bar.evaluate("element => element === document.activeElement")
    label = bar.get_attribute("aria-label")
    page.keyboard.press("Enter")
    page.wait_for_url("**period=2017-10-*")
    day = label.split(":")[0]
    assert page.get_by_role("heading", name=f"Volume of posts: {day}").is_visible()
    assert_accessible(page)
    page.goto("/search/?q=%22me+too%22")
    assert_accessible(page)


def test_search_works_without_javascript_and_fits_a_phone(browser, live_server):
    from apps.timeline.seeding import story_seed

    story_seed()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/search/")
    page.get_by_label("Search posts, articles, events and accounts").fill('"me too"')
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**q=%22me+too%22*")
    assert int(page.locator("#result-count").inner_text().rstrip("+")) > 0
    assert page.locator(".copy-button").count() == 0  # the citation text is there to select
    assert page.locator("#cite-search-text").inner_text().startswith('Search for “"me too"”')
    for path in ("/search/?q=weinstein", "/timeline/?period=2017-10&by=hour"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide on a 375px phone"
    # The month by hour keeps readable axis labels on the phone: its box scrolls sideways.
    label_height = page.locator(".volume-chart svg text").first.evaluate(
        "label => label.getBoundingClientRect().height"
    )
    assert label_height >= 9, f"axis labels {label_height}px tall on a 375px phone"
    scrolls = page.locator(".chart-scroll").evaluate("box => box.scrollWidth > box.clientWidth")
    assert scrolls
    context.close()
