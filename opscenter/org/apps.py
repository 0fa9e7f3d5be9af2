from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "opscenter.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from opscenter.core.auth import register_token_lookup

        from .services import user_for_token

        register_token_lookup(user_for_token)
