"""Password sign-in: Django's ModelBackend, with the duress password checked beside the real one."""

from django.contrib.auth.backends import ModelBackend

from accounts import coercion
from accounts.models import User


class PasswordBackend(ModelBackend):
    """Accept the real password or the duress one; tell which on the user returned.

    Both hashes are always computed, for a known account or an unknown name,
    with or without a duress password set: how long a sign-in takes says
    nothing about which password was typed (bench/README.md, "Sign-in under duress").
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            # As ModelBackend does, once per hash a known account costs.
            User().set_password(password)
            User().set_password(password)
            return None
        real = user.check_password(password)
        duress = coercion.is_duress_password(user, password)
        if not (real or duress) or not self.user_can_authenticate(user):
            return None
        # If the two ever match (set so under duress), duress wins: the safe side.
        user.used_duress_password = duress
        return user
