"""The dossier's PDF, made by WeasyPrint from HTML, with every URL refused.

Imported only when a dossier is made (evidence/dossier.py `render_pdf`).
WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when
it is imported, and a truncated photo must be refused (evidence/content/): it
is turned off again at once.
"""

import weasyprint
from PIL import ImageFile
from weasyprint.urls import FatalURLFetchingError, URLFetcher

ImageFile.LOAD_TRUNCATED_IMAGES = False


class FetchRefused(RuntimeError):
    """The PDF asked for an outside resource, and was not made.

    The template names no URL, so a request for one means markup got into
    the page: the render stops rather than go on without it. The URL stays
    out of the message: it may be text from the case.
    """


class _Stop(FatalURLFetchingError):
    """Stops WeasyPrint at the first request (a BaseException: it catches the rest and
    goes on). Never let out of render_pdf: a BaseException would pass Django's handler."""


class RefuseAll(URLFetcher):
    """A WeasyPrint URL fetcher that fetches nothing: no network, no file:// read, no data: URL.

    Autoescaping keeps a note's `<img src="file:///etc/passwd">` text; this is
    the second wall, should markup ever get through.
    """

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        raise _Stop("the dossier's PDF asked for an outside resource; nothing was fetched")


refuse_all = RefuseAll()


def render_pdf(html: str) -> bytes:
    try:
        return weasyprint.HTML(string=html, url_fetcher=refuse_all, base_url=None).write_pdf()
    except _Stop:
        raise FetchRefused(
            "the dossier's PDF asked for an outside resource; nothing was fetched"
        ) from None
