"""Hand a file upload to the sealing handler before anything reads the form.

The null-byte and oversized-id checks (ops/) read request.POST before any
view runs, which parses the body: with Django's handlers gone
(settings.FILE_UPLOAD_HANDLERS is empty) a file would be dropped there. For
a multipart POST to a view that receives files (`receives_files`), this puts
the sealing handler in place first; whatever it spooled and the view did not
keep (a refused form, a user who may not add files) is deleted after the
response.
"""

from django.urls import Resolver404, resolve

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
            if getattr(view, "receives_files", False):
                handler = SealingUploadHandler(request)
                receive_with(request, handler)
        try:
            return self.get_response(request)
        finally:
            if handler is not None:
                handler.upload_interrupted()  # a no-op for what the store took
