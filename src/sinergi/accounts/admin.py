from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from sinergi.accounts import views
from sinergi.accounts.models import ApiToken, User


class SinergiUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)


class SinergiUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    """The national admin manages users here: one role and one area each."""

    form = SinergiUserChangeForm
    add_form = SinergiUserCreationForm
    list_display = ["username", "get_full_name", "role", "area", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "area__name", "area__code"]
    autocomplete_fields = ["area"]
    raw_id_fields = ["kube"]
    list_select_related = ["area"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role and area"), {"fields": ("role", "area", "kube", "organisation", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and area"), {"fields": ("role", "area", "first_name", "last_name", "email")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["name", "user__username", "prefix"]


# The admin site signs in through Sinergi's own sign-in, so its second factor and required
# password change cannot be stepped around at /admin/login/.
admin.site.login = views.admin_login  # type: ignore[method-assign]
