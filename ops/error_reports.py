from django.views.debug import SafeExceptionReporterFilter


class NoLocalsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Show no local variables in error reports.

    sensitive_post_parameters hides request.POST only; a service's `data`
    or `cleaned_data` would still print every field in the clear.
    """

    def get_traceback_frame_variables(self, request, tb_frame):
        return []

    def get_post_parameters(self, request):
        return {key: self.cleansed_substitute for key in getattr(request, "POST", {})}
