"""Peer cases: libphonenumber's number-matcher tests, restated as our phone contract.

Source of the facts (inputs, contexts and what the matcher finds, not its code): GitHub
``daviddrysdale/python-phonenumbers``, file ``python/tests/phonenumbermatchertest.py`` (the
port of libphonenumber's ``PhoneNumberMatcherTest``): its find-in-context numbers, the text
contexts it wraps them in, and its impossible / valid / grouping case lists.

Our rules (ARCHITECTURE.md, "Entry kinds and canonical values") differ from the matcher's on
purpose, so many of its cases change answer here:

- the matcher is always given a default region; we have none. A national number with no
  stated country is a phone only when it is a Chinese mobile (``1[3-9]`` + 9 digits → +86);
  every other national number (US ``415-666-7777``, NZ ``03 331 6005``, …) is not a phone for us;
- a number written with ``+`` (also full-width ``＋``) or ``00`` and a country code is a phone
  when the *real* libphonenumber metadata says it is valid; the matcher's tests run on a small
  test metadata set, so a few of its "found" numbers are invalid in the real world;
- the value is E.164 only: an extension is dropped.

The matcher's contexts (dates, prices, page ranges, Chinese and punctuation around the number)
are kept and filled with a Chinese mobile, which is what our users meet.
"""

from __future__ import annotations

import pytest

from watchlist.extract import extract

CN = "13800138000"
CN_E164 = "+8613800138000"


def phones(text: str) -> set[str]:
    return {h.value for h in extract(text).handles if h.kind == "phone"}


# (text, exactly these E.164 phones). Numbers with a country code: the matcher finds them in
# any region, and so do we.
INTERNATIONAL = [
    pytest.param("+1 (650) 333-6000", {"+16503336000"}, id="us-with-plus"),
    pytest.param("++1 (650) 333-6000", {"+16503336000"}, id="doubled-plus"),
    pytest.param("＋1 (650) 333-6000", {"+16503336000"}, id="full-width-plus"),
    pytest.param(
        "＋１\u3000（６５０）\u3000３３３－６０００",
        {"+16503336000"},
        id="all-full-width-with-ideographic-spaces",
    ),
    pytest.param("+1 415-666-7777", {"+14156667777"}, id="us-dashes"),
    pytest.param("+14156667777", {"+14156667777"}, id="us-compact"),
    pytest.param("+14156667777 foobar +14156667777 ", {"+14156667777"}, id="same-number-twice"),
    pytest.param("+64 3 331 6005", {"+6433316005"}, id="nz-spaced"),
    pytest.param("+39 02-36618 300", {"+390236618300"}, id="italy-leading-zero-kept"),
    pytest.param("+54 9 343 555 1212", {"+5493435551212"}, id="argentina-mobile"),
    pytest.param("+54 11 3797 0000", {"+541137970000"}, id="argentina-fixed"),
    pytest.param("+52 (449)978-0001", {"+524499780001"}, id="mexico-fixed"),
    pytest.param("+44 2034567890", {"+442034567890"}, id="uk-compact"),
    # Extensions: E.164 has none, so the value is the number alone.
    pytest.param("+44 2034567890x456", {"+442034567890"}, id="extension-x-glued"),
    pytest.param("+44 2034567890 x456", {"+442034567890"}, id="extension-x"),
    pytest.param("+44 2034567890 X 456", {"+442034567890"}, id="extension-capital-x"),
    pytest.param("+44 2034567890    X 456", {"+442034567890"}, id="extension-wide-spaces"),
    # The matcher's contexts around an international number.
    pytest.param("Hi there, call +64 3 331 6005 to reach me!", {"+6433316005"}, id="ctx-prose"),
    pytest.param("Hi there, call +64 3 331 6005, or don't", {"+6433316005"}, id="ctx-comma"),
    pytest.param("It's only 9.99! Call +64 3 331 6005 to buy", {"+6433316005"}, id="ctx-price"),
    pytest.param("Call me on 21.6.1984 at +64 3 331 6005", {"+6433316005"}, id="ctx-date-dots"),
    pytest.param("Call me on 06/21/84 at +64 3 331 6005", {"+6433316005"}, id="ctx-date-slash"),
    pytest.param("+64 3 331 6005, 45 days a year", {"+6433316005"}, id="ctx-trailing-count"),
    # The matcher's second number +1800-123-4567 is not valid in the real metadata.
    pytest.param(
        "Call +64 3 331 6005 or +1800-123-4567!", {"+6433316005"}, id="ctx-second-invalid"
    ),
    # 00 is the international prefix dialled from China, so 0064… states its country as
    # plainly as +64 (the contract names 0086…; the same reading applies).
    pytest.param("0064 3 331 6005", {"+6433316005"}, id="double-zero-country-code"),
]

# The Chinese mobile in the matcher's contexts.
CHINESE_MOBILE = [
    pytest.param(CN, {CN_E164}, id="cn-alone"),
    pytest.param(f"     {CN}\t", {CN_E164}, id="cn-whitespace"),
    pytest.param(f"Hello {CN}", {CN_E164}, id="cn-at-end"),
    pytest.param(f"{CN} to call me!", {CN_E164}, id="cn-at-start"),
    pytest.param(f"Hi there, call {CN}, or don't", {CN_E164}, id="cn-comma"),
    pytest.param(f"It's cheap! Call {CN} before 6:30", {CN_E164}, id="cn-time-after"),
    pytest.param(
        f"As quoted by Alfonso 12-15 (2009), you may call me at {CN}",
        {CN_E164},
        id="cn-page-range-before",
    ),
    pytest.param(
        f"As I said on 03/10/2011, you may call me at {CN}", {CN_E164}, id="cn-us-date-before"
    ),
    pytest.param(f"{CN}, 45 days a year", {CN_E164}, id="cn-trailing-count"),
    pytest.param(f"It's only 9.99! Call {CN} to buy", {CN_E164}, id="cn-price-before"),
    pytest.param(f"Call me on 21.6.1984 at {CN}", {CN_E164}, id="cn-dotted-date-before"),
    pytest.param(f"Call me on 06/21 at {CN}", {CN_E164}, id="cn-month-day-before"),
    pytest.param(f"我的电话号码是{CN}", {CN_E164}, id="cn-chinese-before"),
    pytest.param(f"{CN}是我的电话号码", {CN_E164}, id="cn-chinese-after"),
    pytest.param(f"请拨打{CN}我在明天", {CN_E164}, id="cn-chinese-both-sides"),
    pytest.param(f"My number-{CN}", {CN_E164}, id="cn-after-hyphen"),
    pytest.param(f"{CN}.Nice day.", {CN_E164}, id="cn-before-full-stop"),
    pytest.param(f"Tel:{CN}.", {CN_E164}, id="cn-tel-colon"),
    pytest.param(f"Tel: {CN} on Saturdays.", {CN_E164}, id="cn-tel-sentence"),
    pytest.param(f"$20 {CN}", {CN_E164}, id="cn-after-dollar-amount"),
    pytest.param(f"{CN} 100$", {CN_E164}, id="cn-before-dollar-amount"),
    pytest.param(f"Call {CN} or +1800-123-4567!", {CN_E164}, id="cn-then-invalid-us"),
    pytest.param(
        "Call 13800138000  or 13912345678!",
        {CN_E164, "+8613912345678"},
        id="cn-two-in-a-row",
    ),
    pytest.param("My info: 13800138000," * 3, {CN_E164}, id="cn-repeated"),
    # Formatting the matcher accepts, on a Chinese mobile.
    pytest.param("138-0013-8000", {CN_E164}, id="cn-dashes"),
    pytest.param("138 0013 8000", {CN_E164}, id="cn-spaces"),
    pytest.param("１３８００１３８０００", {CN_E164}, id="cn-full-width-digits"),
    pytest.param("+86 138 0013 8000", {CN_E164}, id="cn-plus-86"),
    pytest.param("(+86) 138 0013 8000", {CN_E164}, id="cn-bracketed-plus-86"),
    pytest.param("0086 13800138000", {CN_E164}, id="cn-0086"),
    pytest.param("+８６ １３８００１３８０００", {CN_E164}, id="cn-full-width-plus-86"),
]

# Not phones for the matcher at any leniency, nor for us.
NOT_PHONES = [
    pytest.param("12345", id="five-digits"),
    pytest.param("23456789", id="eight-digits"),
    pytest.param("234567890112", id="twelve-digits"),
    pytest.param("650+253+1234", id="pluses-inside"),
    pytest.param("3/10/1984", id="date-m-d-y"),
    pytest.param("03/27/2011", id="date-mm-dd-yyyy"),
    pytest.param("31/8/2011", id="date-d-m-y"),
    pytest.param("1/12/2011", id="date-short"),
    pytest.param("10/12/82", id="date-two-digit-year"),
    pytest.param("650x2531234", id="x-inside"),
    pytest.param("2012-01-02 08:00", id="timestamp-dashes"),
    pytest.param("2012/01/02 08:00", id="timestamp-slashes"),
    pytest.param("20120102 08:00", id="timestamp-compact"),
    pytest.param("2014-04-12 04:04 PM", id="timestamp-pm"),
    pytest.param("2014-04-12 &nbsp;04:04 PM", id="timestamp-html-space"),
    pytest.param("80.585 [79.964, 81.191]", id="decimals-in-brackets"),
    pytest.param("(80).(585) (79).(9)64", id="too-many-brackets"),
    pytest.param("Random text body - number is foobar, see you there", id="no-digits"),
    pytest.param("", id="empty"),
    pytest.param("  ", id="blank"),
    pytest.param("Random text body - number is 0331 6005, see you there", id="no-region"),
    # Our own neighbours of a Chinese mobile.
    pytest.param("12800138000", id="cn-shape-but-12-prefix"),
    pytest.param("订单号 813800138000", id="cn-mobile-inside-a-longer-run"),
]

# (text, why it is not a phone for us although the matcher finds it).
DISAGREE = [
    pytest.param("415-666-7777", "US national number, no country stated", id="us-national"),
    pytest.param("(415) 666-7777", "US national number, no country stated", id="us-parens"),
    pytest.param("4156667777", "ten digits, not a Chinese mobile, no country", id="us-compact"),
    pytest.param("1-650-333-6000", "US trunk 1 is no country code", id="us-trunk-1"),
    pytest.param("123-456-7890", "US national number, no country stated", id="us-dashed"),
    pytest.param("033316005", "NZ national number, no country stated", id="nz-compact"),
    pytest.param("03-331 6005", "NZ national number, no country stated", id="nz-formatted"),
    pytest.param("02-36618 300", "Italian national number, no country stated", id="it-national"),
    pytest.param("(449)978-0001", "Mexican national number, no country", id="mx-national"),
    pytest.param(
        "01164 3 331 6005",
        "011 is the exit code dialled from the US; nothing in the post says so",
        id="us-exit-code",
    ),
    pytest.param(
        "0011-650-333-6000", "Singapore carrier exit code, not +", id="sg-carrier-exit-code"
    ),
    pytest.param("(0xx) 123456789", "Argentine carrier placeholder", id="ar-carrier-code"),
    pytest.param(
        "415-666-7777 - 800-443-1223 - 212-443-1223 - 650-443-1223",
        "four US national numbers, no country",
        id="four-us-numbers",
    ),
    pytest.param(
        "My address is CA 34215 - 415-666-7777 is my number.",
        "a US state abbreviation is not a stated country for a bare number",
        id="us-number-after-zip",
    ),
    pytest.param(
        "(800) 901-3355 x 7246433", "US toll-free national number", id="us-toll-free-extension"
    ),
    pytest.param("Call 033316005  or 032316005!", "two NZ national numbers", id="nz-sequence"),
    pytest.param(
        "我的电话号码是415-666-7777",
        "Chinese text does not make a US-shaped number Chinese",
        id="us-number-in-chinese",
    ),
    pytest.param(
        "+1 455-234-3451",
        "455 is no US area code in the real metadata (the matcher's test data accepts it)",
        id="invalid-us-area-code",
    ),
    pytest.param(
        "+52 1 33 1234-5678",
        "Mexico dropped the mobile 1; invalid in the real metadata",
        id="mexico-old-mobile-1",
    ),
    pytest.param(
        "+33 3 34 23 12", "too short for France in the real metadata", id="france-too-short"
    ),
]


@pytest.mark.parametrize(("text", "expected"), INTERNATIONAL)
def test_number_with_country_code_is_found_in_e164(text: str, expected: set[str]) -> None:
    assert phones(text) == expected


@pytest.mark.parametrize(("text", "expected"), CHINESE_MOBILE)
def test_chinese_mobile_is_found_in_the_matchers_contexts(text: str, expected: set[str]) -> None:
    assert phones(text) == expected


@pytest.mark.parametrize("text", NOT_PHONES)
def test_number_like_text_is_not_a_phone(text: str) -> None:
    assert phones(text) == set()


@pytest.mark.parametrize(("text", "why"), DISAGREE)
def test_deliberate_disagreement_matcher_finds_but_we_do_not(text: str, why: str) -> None:
    assert phones(text) == set(), why
