from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, skipped when there is no request to throttle.

    Log-ins through the web and the API always carry the request; only code that calls
    `authenticate()` without one (management commands, `Client.login` in tests) has none.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
