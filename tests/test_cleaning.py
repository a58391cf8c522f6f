"""Cleaning: boilerplate goes, reporting stays, and every offset finds its way back.

All texts here are written for these tests; they imitate the shapes found in real
outlets (broker footers, publisher footers, share rows, "Read more" lists).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energywatch.cleaning import Cleaned, clean
from energywatch.models import RemovedSpan, SpanKind

REPORT_1 = (
    "Brent crude fell 1.2% to $74.10 a barrel on Thursday after the Caspian Pipeline Consortium said "
    "loadings at its terminal near Novorossiysk had returned to schedule."
)
REPORT_2 = (
    "“Two of the three moorings are working normally again,” a CPC spokesperson told reporters, "
    "adding that the third would reopen after an inspection."
)
REPORT_3 = (
    "Traders had priced in a longer outage after drones damaged a pumping station in the Krasnodar "
    "region last week."
)
CFD_WARNING = (
    "Risk warning: CFDs are leveraged products and carry a high risk of losing money quickly. "
    "74.6% of retail investor accounts lose money when trading CFDs with this provider. "
    "Consider whether you can afford to take that risk."
)
MARKETING = (
    "This material is a marketing communication and does not constitute investment advice or "
    "investment research. Past performance is not a reliable indicator of future results."
)
# Reporting that uses the vocabulary of boilerplate in its ordinary sense.
TRICKY = (
    "Shareholders of the consortium, including Chevron and KazMunayGas, met on Tuesday to assess the "
    "risk of further disruption. Kazakhstan subscribed to the OPEC+ deal in 2016 and has struggled to "
    "keep output within its quota. Investors in the project were told that repairs would take about "
    "six weeks."
)
SHARE_PRICES = "Share prices of KazMunayGas fell 3% in Astana after the announcement."
KEY_POINTS = (
    "Key points:\n"
    "* A drone strike halted the Kropotkinskaya pumping station on Monday.\n"
    "* Flows through the pipeline fell by roughly a third.\n"
    "* Repairs are expected to take one to two months."
)
ANALYSIS = (
    "Analysis and Risks\n"
    "Any long outage would hit Kazakhstan hardest, since about 80% of its crude exports use the route."
)


def broker_article() -> str:
    return "\n\n".join(["Oil Slips as Caspian Pipeline Flows Recover", REPORT_1, REPORT_2, REPORT_3])


def assert_spans_exact(text: str, cleaned: Cleaned) -> None:
    for span in cleaned.removed:
        assert text[span.start : span.end] == span.text
        assert span.rule
    for i, char in enumerate(cleaned.text):
        assert text[cleaned.to_original(i)] == char


def removed(cleaned: Cleaned, kind: SpanKind) -> list[RemovedSpan]:
    return [span for span in cleaned.removed if span.kind is kind]


# --------------------------------------------------------------------------- promotional


def test_broker_footer_is_promotional_with_exact_offsets() -> None:
    text = broker_article() + "\n\n" + CFD_WARNING + "\n\n" + MARKETING + "\n"
    cleaned = clean(text)

    warning_start = text.index(CFD_WARNING)
    marketing_start = text.index(MARKETING)
    assert [(s.start, s.end, s.kind) for s in cleaned.removed] == [
        (warning_start, warning_start + len(CFD_WARNING), SpanKind.promotional),
        (marketing_start, marketing_start + len(MARKETING), SpanKind.promotional),
    ]
    assert cleaned.text == broker_article()
    assert_spans_exact(text, cleaned)


def test_disclaimer_labelled_marketing_block_on_single_lines() -> None:
    footer = (
        "Disclaimer: This text is marketing communication. It is not any form of investment advice. "
        "Its content does not take the personal situation of readers into account."
    )
    text = f"{REPORT_1}\n{REPORT_3}\n{CFD_WARNING}\n{footer}"
    cleaned = clean(text)
    assert [s.kind for s in cleaned.removed] == [SpanKind.promotional, SpanKind.promotional]
    assert cleaned.text == f"{REPORT_1}\n{REPORT_3}"


def test_affiliate_pitch_and_sponsored_label() -> None:
    text = f"Sponsored content\n\n{REPORT_1}\n\nOpen a free trading account today and start trading oil."
    cleaned = clean(text)
    assert [s.rule for s in removed(cleaned, SpanKind.promotional)] == ["sponsored_label", "trading_pitch"]
    assert cleaned.text == REPORT_1


def test_filler_between_footer_blocks_goes_with_them() -> None:
    filler = "Please read the full terms before using the services described here."
    text = f"{REPORT_1}\n\n{CFD_WARNING}\n\n{filler}\n\n{MARKETING}"
    cleaned = clean(text)
    assert cleaned.text == REPORT_1
    assert {s.kind for s in cleaned.removed} == {SpanKind.promotional}


def test_hard_wrapped_disclaimer_is_removed_whole() -> None:
    footer = (
        "Disclaimer: the information on this page does not constitute investment\n"
        "advice and is provided for informational purposes only. Trading carries a\n"
        "high level of risk."
    )
    cleaned = clean(f"{REPORT_3}\n\n{footer}")
    assert cleaned.text == REPORT_3
    assert [s.text for s in cleaned.removed] == [footer]
    assert cleaned.removed[0].kind is SpanKind.promotional  # "Trading" marks the broker context


# --------------------------------------------------------------------------- disclaimer


def test_publisher_footer_is_disclaimer() -> None:
    views = "The views expressed in this article are the author's own."
    notice = "This article is for informational purposes only and is not investment advice."
    footer = "© 2025 Steppe Energy Review. All rights reserved."
    text = "\n\n".join([REPORT_1, REPORT_3, views, notice, footer])
    cleaned = clean(text)
    assert [(s.text, s.kind) for s in cleaned.removed] == [
        (views, SpanKind.disclaimer),
        (notice, SpanKind.disclaimer),
        (footer, SpanKind.disclaimer),
    ]
    assert cleaned.text == f"{REPORT_1}\n\n{REPORT_3}"


def test_boilerplate_sentence_inside_reporting_paragraph_is_cut_alone() -> None:
    paragraph = (
        "Ministry data showed exports of 5.3 million tonnes in March. This note is for informational "
        "purposes only. Officials expect volumes to recover in April."
    )
    cleaned = clean(paragraph)
    assert cleaned.text == (
        "Ministry data showed exports of 5.3 million tonnes in March. "
        "Officials expect volumes to recover in April."
    )
    (span,) = cleaned.removed
    assert span.text == "This note is for informational purposes only."
    assert span.kind is SpanKind.disclaimer
    assert_spans_exact(paragraph, cleaned)


def test_attributed_boilerplate_words_are_reporting() -> None:
    text = (
        "The fund's manager said past performance is not a guarantee of future returns from the "
        "pipeline stake.\n\nThe firm was not licensed to give investment advice, the regulator found."
    )
    assert clean(text).removed == []


def test_photo_caption_keeps_its_description() -> None:
    caption = "Smoke rises over the oil depot after the drone attack. Photo: © Caspian Images"
    cleaned = clean(caption)
    assert cleaned.text == "Smoke rises over the oil depot after the drone attack."
    assert [s.kind for s in cleaned.removed] == [SpanKind.disclaimer]


# --------------------------------------------------------------------------- navigation


def test_newsletter_share_cookie_and_follow_lines() -> None:
    lines = [
        "Subscribe to our weekly energy newsletter to get analysis in your inbox.",
        "Share this article: Facebook | X | Telegram",
        "We use cookies to improve your experience. By continuing to browse you accept our cookie policy.",
        "Follow us on Telegram",
        "Advertisement",
        "Tags: Kazakhstan, CPC, oil exports, drones",
    ]
    share, cookies, follow, advert, tags = lines[1:]
    text = f"{REPORT_1}\n\n{lines[0]}\n\n{REPORT_2}\n{share}\n{cookies}\n\n{follow}\n{advert}\n{tags}"
    cleaned = clean(text)
    assert [s.text for s in cleaned.removed] == lines
    assert {s.kind for s in cleaned.removed} == {SpanKind.navigation}
    assert cleaned.text == f"{REPORT_1}\n\n{REPORT_2}"
    assert_spans_exact(text, cleaned)


def test_read_more_tail_with_headlines() -> None:
    tail = [
        "Read more:",
        "Kazakhstan weighs alternative export routes",
        "Tanker rates jump in the Black Sea",
        "https://example.test/news/how-the-cpc-pipeline-works",
    ]
    text = broker_article() + "\n\n" + "\n".join(tail)
    cleaned = clean(text)
    assert cleaned.text == broker_article()
    assert [s.text for s in cleaned.removed] == tail
    assert [s.rule for s in cleaned.removed] == ["read_more", "link_list", "link_list", "link_list"]
    assert {s.kind for s in cleaned.removed} == {SpanKind.navigation}


def test_inline_read_more_mid_article_keeps_the_heading_after_it() -> None:
    link = "Read more: Drone strike halts Kropotkinskaya pumping station"
    text = f"{REPORT_1}\n{link}\n{ANALYSIS}"
    cleaned = clean(text)
    assert [s.text for s in cleaned.removed] == [link]
    assert cleaned.text == f"{REPORT_1}\n{ANALYSIS}"


@pytest.mark.parametrize(
    "line",
    [
        "Related talks between the shareholders are planned for March.",
        "Read more than forty pages of the ministry report and the picture is bleak.",
        "Follow-up inspections found no further damage at the terminal.",
        "Share prices of KazMunayGas fell 3% in Astana after the announcement.",
    ],
)
def test_lines_that_only_look_like_navigation_stay(line: str) -> None:
    text = f"{REPORT_1}\n\n{line}\n\n{REPORT_3}"
    assert clean(text).text == text


# --------------------------------------------------------------------------- reporting stays


def test_reporting_with_boilerplate_vocabulary_stays() -> None:
    text = "\n\n".join([REPORT_1, TRICKY, SHARE_PRICES, REPORT_3])
    cleaned = clean(text)
    assert cleaned.removed == []
    assert cleaned.text == text


def test_key_points_list_and_analysis_heading_stay() -> None:
    text = f"Kazakhstan Seeks Talks After Pipeline Strike\n\n{KEY_POINTS}\n\n{REPORT_3}\n{ANALYSIS}"
    cleaned = clean(text)
    assert cleaned.removed == []
    assert cleaned.text == text


def test_analysis_heading_survives_a_footer_after_it() -> None:
    text = f"{REPORT_1}\n{ANALYSIS}\n{CFD_WARNING}\n{MARKETING}"
    cleaned = clean(text)
    assert cleaned.text == f"{REPORT_1}\n{ANALYSIS}"


# --------------------------------------------------------------------------- edges


def test_empty_input() -> None:
    cleaned = clean("")
    assert cleaned.text == ""
    assert cleaned.removed == []
    assert cleaned.to_original(0) == 0


def test_whitespace_only_input() -> None:
    cleaned = clean(" \n\n\t ")
    assert cleaned.text == ""
    assert cleaned.removed == []


def test_only_boilerplate() -> None:
    text = "Subscribe to our newsletter for daily updates.\n\n© 2024 Example Media. All rights reserved.\n"
    cleaned = clean(text)
    assert cleaned.text == ""
    assert [s.kind for s in cleaned.removed] == [SpanKind.navigation, SpanKind.disclaimer]
    assert_spans_exact(text, cleaned)


def test_crlf_line_endings() -> None:
    text = "\r\n\r\n".join([REPORT_1, REPORT_3, "Share on: Facebook, X", CFD_WARNING]) + "\r\n"
    cleaned = clean(text)
    assert cleaned.text == f"{REPORT_1}\r\n\r\n{REPORT_3}"
    assert [s.kind for s in cleaned.removed] == [SpanKind.navigation, SpanKind.promotional]
    assert_spans_exact(text, cleaned)


def test_paragraph_break_survives_removal_between_lines() -> None:
    text = f"{REPORT_1}\n\nAdvertisement\n{REPORT_3}"
    assert clean(text).text == f"{REPORT_1}\n\n{REPORT_3}"


def test_span_to_original_does_not_swallow_removed_blocks() -> None:
    text = f"{REPORT_1}\n\nAdvertisement\n\n{REPORT_3}"
    cleaned = clean(text)
    start, end = cleaned.span_to_original(0, len(REPORT_1))
    assert text[start:end] == REPORT_1
    tail = cleaned.text.index(REPORT_3)
    start, end = cleaned.span_to_original(tail, len(cleaned.text))
    assert text[start:end] == REPORT_3
    assert cleaned.to_original(len(cleaned.text)) == len(text)


def test_to_original_rejects_offsets_outside_the_text() -> None:
    cleaned = clean(REPORT_1)
    with pytest.raises(ValueError, match="outside"):
        cleaned.to_original(len(REPORT_1) + 1)
    with pytest.raises(ValueError, match="outside"):
        cleaned.to_original(-1)


def test_clean_text_is_a_fixed_point() -> None:
    text = "\n\n".join([broker_article(), KEY_POINTS, "Advertisement", TRICKY, CFD_WARNING, MARKETING])
    once = clean(text)
    twice = clean(once.text)
    assert twice.text == once.text
    assert twice.removed == []


# --------------------------------------------------------------------------- properties

REPORTING_BLOCKS = [REPORT_1, REPORT_2, REPORT_3, TRICKY, SHARE_PRICES, KEY_POINTS]
OTHER_BLOCKS = [
    CFD_WARNING,
    MARKETING,
    "Advertisement",
    "Share this article",
    "Read more:",
    "Oil traders eye Black Sea risks",
    "Analysis and Risks",
    "© 2025 Steppe Energy Review. All rights reserved.",
    "We use cookies to improve your experience.",
]
SEPARATORS = ["\n", "\n\n", "\r\n", "\r\n\r\n", " \n\n", "\n\n\n"]

documents = st.lists(
    st.tuples(st.sampled_from(REPORTING_BLOCKS + OTHER_BLOCKS), st.sampled_from(SEPARATORS)),
    max_size=12,
).map(lambda parts: "".join(block + sep for block, sep in parts))


@settings(max_examples=200, deadline=None)
@given(documents, st.data())
def test_every_clean_offset_maps_back(text: str, data: st.DataObject) -> None:
    cleaned = clean(text)
    for span in cleaned.removed:
        assert text[span.start : span.end] == span.text
    if cleaned.text:
        offsets = data.draw(st.lists(st.integers(0, len(cleaned.text) - 1), max_size=50))
        for i in offsets:
            if not cleaned.text[i].isspace():
                assert text[cleaned.to_original(i)] == cleaned.text[i]


@settings(max_examples=200, deadline=None)
@given(documents)
def test_reporting_survives_and_cleaning_is_idempotent(text: str) -> None:
    cleaned = clean(text)
    for block in REPORTING_BLOCKS:
        if block in text:
            assert block in cleaned.text
    again = clean(cleaned.text)
    assert again.text == cleaned.text
    assert again.removed == []


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text_never_breaks_the_mapping(text: str) -> None:
    cleaned = clean(text)
    for i, char in enumerate(cleaned.text):
        assert text[cleaned.to_original(i)] == char
    for span in cleaned.removed:
        assert text[span.start : span.end] == span.text


@pytest.mark.parametrize(
    "sentence",
    [
        "Tokayev's remarks do not necessarily reflect the position of the cabinet.",
        "The tariff tables were published for information purposes only, pending a court ruling.",
        "Kazakhstan did not sign up to the price cap and keeps selling through the CPC.",
    ],
)
def test_reporting_sentences_near_boilerplate_wording_stay(sentence: str) -> None:
    text = f"{REPORT_1} {sentence}"
    assert clean(text).text == text


def test_broker_pitch_with_its_headline_and_separator() -> None:
    footer = [
        "* * *",
        "Trade gas and oil with Example Markets",
        "Go long or short with a free demo account and tight spreads and fast execution.",
        CFD_WARNING,
    ]
    levels = "Our desk watches support near $61.50 on the front-month contract."
    text = f"{REPORT_1}\n\n{levels}\n\n" + "\n".join(footer)
    cleaned = clean(text)
    assert cleaned.text == f"{REPORT_1}\n\n{levels}"
    assert [s.rule for s in cleaned.removed] == [
        "separator",
        "pitch_lead_in",
        "trading_pitch",
        "cfd_risk_warning",
    ]
    assert {s.kind for s in cleaned.removed} == {SpanKind.promotional}


def test_closing_commentary_before_a_footer_stays() -> None:
    closing = (
        "The outcome remains uncertain, but the approach signals a careful effort to protect its interests."
    )
    text = f"{REPORT_1}\n{closing}\n{CFD_WARNING}\n{MARKETING}"
    assert clean(text).text == f"{REPORT_1}\n{closing}"
