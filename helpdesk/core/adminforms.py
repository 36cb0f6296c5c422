"""Admin change forms whose changes are made by services.

Django's admin saves a valid form and then says "changed successfully". When the change
is made by services, a service can still refuse it (a rule the form does not check, a
race with another specialist). So the services run when the form is validated, with the
acting user, inside a savepoint: a refusal rolls back everything they did and becomes an
error on the form, and the admin shows the form again, saves nothing and logs nothing."""

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse


# Generic in the stubs only: Django's ModelForm and ModelAdmin cannot be subscripted at
# run time.
class ServiceChangeForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form the admin never saves: `apply` makes the change through services."""

    # The acting user, bound by ServiceModelAdmin.get_form for each request.
    actor: Any = None
    # A service's field names (the keys of its ValidationError) -> this form's fields.
    service_fields: ClassVar[dict[str, str]] = {}
    # What `apply` had to say, for the admin to show.
    notes: list[str]

    def apply(self, *, actor: Any) -> list[str]:
        """Make the validated change through the services; return what to tell the user
        besides "changed successfully" (a ticket opened, say)."""
        raise NotImplementedError

    def full_clean(self) -> None:
        super().full_clean()
        self.notes = []
        if not self.is_bound or self.errors or self.actor is None:
            return
        stored = self.instance.pk is not None
        try:
            with transaction.atomic(using=router.db_for_write(self._meta.model)):
                self.notes = self.apply(actor=self.actor)
        except ValidationError as exc:
            self._service_refused(exc, stored=stored)
        except PermissionDenied as exc:
            refusal = ValidationError(exc.args[0] if exc.args else str(exc))
            self._service_refused(refusal, stored=stored)

    def _service_refused(self, exc: ValidationError, *, stored: bool) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                name = self.service_fields.get(field, field)
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc)
        # Services may have changed (or, on an add form, saved) the instance before the
        # rollback: show the stored state beside the form again.
        if stored:
            self.instance.refresh_from_db()
        else:
            self.instance.pk = None
            self.instance._state.adding = True


class ServiceModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The admin of a model whose change form is a ServiceChangeForm."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:  # type: ignore[type-arg]
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing left to save: the services did it while the form was validated."""
        for note in form.notes:
            self.message_user(request, note)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if request.method == "POST":
            # The form is shown again, so something was refused (the form or an inline
            # formset): keep nothing the services did.
            transaction.set_rollback(True, using=router.db_for_write(self.model))
        return super().render_change_form(request, context, *args, **kwargs)
