"""How the work pages name people: `{{ user|person }}` is their full name, else their role, else "platform"."""

from django import template

from opscenter.work.models import person_name

register = template.Library()


@register.filter
def person(user: object) -> str:
    return person_name(user)  # type: ignore[arg-type]
