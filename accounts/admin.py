from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.text import capfirst

from accounts import services

User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = ["deactivate_users"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A date-time field is two inputs, "Date:" and "Time:", which its one
        # <label> cannot name: each is named for screen readers instead.
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            label = capfirst(formfield.label)
            date, time = formfield.widget.widgets
            date.attrs["aria-label"] = f"{label}: date"
            time.attrs["aria-label"] = f"{label}: time"
        return formfield

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate_users(self, request, queryset):
        deactivated = services.deactivate_users(users=queryset, by=request.user)
        if deactivated:
            names = ", ".join(user.get_username() for user in deactivated)
            self.message_user(
                request,
                f"Deactivated {len(deactivated)} user{'s' if len(deactivated) != 1 else ''} "
                f"({names}). They can no longer log in.",
                messages.SUCCESS,
            )
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "You cannot deactivate your own account.", messages.WARNING)
        elif not deactivated:
            self.message_user(request, "The selected users were already inactive.", messages.INFO)
