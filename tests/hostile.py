"""The hostile-input corpus, shared by every app's hostile-input tests: huge, empty,
malformed and hostile values, a valid intake form to put them in, and what a safe
answer to them looks like."""

HOSTILE = [
    "",
    " ",
    "x" * 100_000,
    "a\x00b",
    "\x00",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE intake_case; --",
    "1 OR 1=1",
    "\u202eevil\u202c",  # right-to-left override
    "\u200b\u200d\ufeff",  # zero-width characters only
    "Ｚａｌｇｏ ̷̡̛̀ͅ t̸̖͛e̵̡͝x̶̰̌t",
    "🏳️‍🌈" * 50,
    "\x1b[31mred",
    "{{ 7*7 }} {% debug %}",
    "%(alias)s %s %n",
    "../../etc/passwd",
    "99999999999999999999999999",  # no id can be this: SQLite cannot even bind it
]


def valid(team):
    """A valid intake form for team; a test puts one hostile value into it."""
    return {
        "team": team.pk,
        "alias": "Kestrel",
        "contact_channel": "signal",
        "contact_handle": "@kestrel",
        "safe_contact": "",
        "region": "tajikistan",
        "location": "",
        "threats": ["extortion"],
        "needs": ["money"],
        "languages": ["tg"],
        "risk": "2",
        "narrative": "",
    }


def assert_safe(response):
    """A clear error or a safe render: never a 500, never the markup echoed back."""
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert b"<script>alert" not in response.content
        assert b"<img src=x" not in response.content
