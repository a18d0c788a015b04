"""Destructive steps ask first (core/confirm.py): the question page keeps what the button sent,
and only a "yes" lets the view act."""

from django.test import RequestFactory

from core.confirm import confirm_first

ASKED = {
    "question": "Remove the value for May 2026?",
    "button": "Remove the value",
    "back": "/improvement/",
}


def post(data):
    request = RequestFactory().post("/somewhere/", data)
    request.user = None
    request._dont_enforce_csrf_checks = True
    return request


def test_the_first_press_asks_with_what_the_button_sent_kept():
    answer = confirm_first(
        post({"point": "12", "tag": ["a", 'b"><script>'], "csrfmiddlewaretoken": "x"}), **ASKED
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "<h1>Remove the value for May 2026?</h1>" in page
    assert '<input type="hidden" name="point" value="12">' in page
    assert '<input type="hidden" name="tag" value="a">' in page
    assert 'value="b&quot;&gt;&lt;script&gt;"' in page  # escaped, never markup
    assert page.count('name="csrfmiddlewaretoken"') == 1  # the page's own, not the kept one
    assert 'name="confirmed" value="yes"' in page
    assert '<a href="/improvement/">Cancel and go back</a>' in page


def test_yes_lets_the_view_act():
    assert confirm_first(post({"point": "12", "confirmed": "yes"}), **ASKED) is None


def test_anything_but_yes_asks_again():
    assert confirm_first(post({"confirmed": "no"}), **ASKED) is not None
