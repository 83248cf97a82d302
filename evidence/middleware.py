"""Hand a file upload to the sealing handler before anything reads the form.

The null-byte and oversized-id checks (ops/) read request.POST before any
view runs, which parses the body: with Django's handlers gone
(settings.FILE_UPLOAD_HANDLERS is empty) a file would be dropped there. For
a multipart POST to a view that receives files (`receives_files`), this puts
the sealing handler in place first; whatever it spooled and the view did not
keep (a refused form, a user who may not add files) is deleted after the
response.

Only for a session that could add a file: signed in, past its second factor,
as someone who works cases. Anyone else's body is read by no handler at all
(its files are dropped unread), and the view refuses them as it would anyway:
an anonymous or partner POST makes the server encrypt nothing. The view still
decides who may add to which case.
"""

from django.contrib.auth import get_user
from django.urls import Resolver404, resolve
from django_otp import DEVICE_ID_SESSION_KEY

from evidence.uploads import SealingUploadHandler, receive_with


class SealUploadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        handler = None
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                view = resolve(request.path_info).func
            except Resolver404:
                view = None
            if getattr(view, "receives_files", False) and _may_add_files(request):
                handler = SealingUploadHandler(request)
                receive_with(request, handler)
        try:
            return self.get_response(request)
        finally:
            if handler is not None:
                handler.upload_interrupted()  # a no-op for what the store took


def _may_add_files(request) -> bool:
    # Before the authentication middleware: the user is read from the session here.
    if not request.session.get(DEVICE_ID_SESSION_KEY):
        return False
    return get_user(request).works_cases
