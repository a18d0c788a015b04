"""A list says how many it holds above its rows, in words that say whether its address filtered
it; and its filters fold away behind a "Filter" button that says whether they are shown."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from core.templatetags.lists import count_words


@pytest.mark.parametrize(
    ("count", "noun", "plural", "more", "matching", "expected"),
    [
        (1234, "incident", "", False, False, "1,234 incidents"),
        (1, "incident", "", False, False, "1 incident"),
        (0, "incident", "", False, False, "0 incidents"),
        (3, "alert", "", False, True, "3 alerts match"),
        (1, "alert", "", False, True, "1 alert matches"),
        (10_000, "incident", "", True, False, "More than 10,000 incidents"),
        (10_000, "incident", "", True, True, "More than 10,000 incidents match"),
        (2, "person", "people", False, False, "2 people"),
        (1, "person", "people", False, False, "1 person"),
    ],
)
def test_the_words_of_a_count(count, noun, plural, more, matching, expected):
    assert count_words(count, noun, plural, more=more, matching=matching) == expected


def render(template, address, **context):
    request = RequestFactory().get(address)
    return Template("{% load lists %}" + template).render(Context({"request": request, **context}))


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("/incidents/", "12 incidents"),
        ("/incidents/?page=2&sort=oldest&after=abc&before=def&order=desc", "12 incidents"),
        ("/incidents/?status=", "12 incidents"),  # an empty filter filters nothing
        ("/incidents/?status=closed", "12 incidents match"),
    ],
)
def test_a_count_matches_only_when_the_address_filters(address, expected):
    html = render('{% result_count count "incident" %}', address, count=12)
    assert html == f'<p class="nhsuk-heading-s mso-result-count">{expected}</p>'


def test_the_filter_button_says_whether_it_shows_the_filters():
    closed = render('{% filter_toggle "these-filters" %}', "/")
    assert 'aria-controls="these-filters"' in closed
    assert 'aria-expanded="false"' in closed
    assert ">Filter</button>" in closed
    refused = render('{% filter_toggle "these-filters" errors %}', "/", errors={"q": ["Bad"]})
    assert 'aria-expanded="true"' in refused
