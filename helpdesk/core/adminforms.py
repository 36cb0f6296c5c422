"""Admin change forms, inlines and deletions whose changes are made by services.

Django's admin saves a valid form and then says "changed successfully". When the change
is made by services, a service can still refuse it (a rule the form does not check, a
race with another specialist). So the services run when the form is validated, with the
acting user, inside a savepoint: a refusal rolls back everything they did and becomes an
error on the form, and the admin shows the form again, saves nothing and logs nothing.
Inline rows are made the same way, when their formset is validated (`ServiceInline`).
Deletions (the delete page, the "delete selected" action) call the admin's
`delete_object`, which calls a service; a refusal is shown as an error message and
nothing is deleted or logged. An admin without a `delete_object` offers no deletion."""

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

# What a service says when it will not make a change.
REFUSALS = (ValidationError, PermissionDenied)


def refusal_messages(exc: ValidationError | PermissionDenied) -> list[str]:
    """The sentences of a service's refusal, for an error message."""
    if isinstance(exc, ValidationError):
        return [str(message) for message in exc.messages]
    return [str(exc.args[0]) if exc.args else str(exc)]


class AdminRefusal(Exception):
    """A service refused a deletion the admin asked for: the view shows `messages`
    and changes nothing (the exception leaves the admin's transaction, rolling it back)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


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


class ServiceInlineFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """An inline formset the admin never saves: once every row is valid, its inline's
    `row_save` and `row_delete` make the changes through services, with the acting user,
    inside a savepoint. A refusal becomes an error on the row (or above the rows, for a
    deletion) and nothing the services did is kept."""

    # Bound by ServiceInline.get_formset for each request.
    actor: Any = None
    inline: "ServiceInline"

    def clean(self) -> None:
        super().clean()
        # The parent is stored (its own services ran) unless its form was refused, and
        # then the admin keeps nothing anyway.
        if self.actor is None or self.instance.pk is None or any(self.errors):
            return
        # What was done, as formset.save() reports it (the admin's change message reads it).
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        refused: list[str] = []
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                for form in self.forms:
                    refused += self._apply(form)
                if refused or any(self.errors):
                    raise _Rollback
        except _Rollback:
            pass
        if refused:
            raise ValidationError(refused)

    def _apply(self, form: forms.ModelForm) -> list[str]:  # type: ignore[type-arg]
        """Make one row's change; return the refusals to show above the rows."""
        deleting = self.can_delete and bool(form.cleaned_data.get(DELETION_FIELD_NAME))
        try:
            if deleting:
                if form.instance.pk is not None:
                    self.inline.row_delete(obj=form.instance, actor=self.actor)
                    self.deleted_objects.append(form.instance)
            elif form.has_changed():
                adding = form.instance.pk is None
                row = self.inline.row_save(form=form, parent=self.instance, actor=self.actor)
                if adding:
                    self.new_objects.append(row)
                else:
                    self.changed_objects.append((row, form.changed_data))
        except REFUSALS as exc:
            if deleting or not isinstance(exc, ValidationError):
                return [f"{form.instance}: {m}" for m in refusal_messages(exc)]
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        return []


class _Rollback(Exception):
    pass


class ServiceInline:
    """Mix into an InlineModelAdmin (TabularInline, StackedInline) whose rows are made by
    services: `row_save` adds or changes one row, `row_delete` deletes one. Only for the
    inlines of a ServiceModelAdmin, which saves no formset itself."""

    formset: type[forms.BaseInlineFormSet] = ServiceInlineFormSet  # type: ignore[type-arg]

    def row_save(
        self,
        *,
        form: forms.ModelForm,  # type: ignore[type-arg]
        parent: Any,
        actor: Any,
    ) -> Any:
        """Add (`form.instance.pk` is None) or change the row from `form.cleaned_data`;
        return the row."""
        raise NotImplementedError

    def row_delete(self, *, obj: Any, actor: Any) -> None:
        raise NotImplementedError

    def get_formset(
        self, request: HttpRequest, obj: Any = None, **kwargs: Any
    ) -> type[forms.BaseInlineFormSet]:  # type: ignore[type-arg]
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        return type(formset.__name__, (formset,), {"actor": request.user, "inline": self})


class ServiceModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The admin of a model whose change form is a ServiceChangeForm, whose editable
    inlines are ServiceInlines and whose deletions (if any) go through `delete_object`."""

    def delete_object(self, *, obj: Any, actor: Any) -> None:
        """Delete `obj` through its service. Not overridden: the admin deletes nothing."""
        raise NotImplementedError

    def _deletes(self) -> bool:
        return type(self).delete_object is not ServiceModelAdmin.delete_object

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._deletes() and super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            self.delete_object(obj=obj, actor=request.user)
        except REFUSALS as exc:
            raise AdminRefusal(refusal_messages(exc)) from exc

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except AdminRefusal as refusal:
            # Raised inside the view's transaction: the log entry went with it.
            for message in refusal.messages:
                self.message_user(request, message, messages.ERROR)
            opts = self.opts
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(url)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions[name] = (type(self).delete_selected_by_services, name, description)
        return actions

    def delete_selected_by_services(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        """Django's "delete selected" action (its confirmation page, its checks), each
        row deleted by `delete_object` in a savepoint: a refusal is shown for that row,
        the others go ahead."""
        if not request.POST.get("post"):
            return delete_selected(self, request, queryset)
        _deletable, _count, perms_needed, protected = self.get_deleted_objects(queryset, request)
        if perms_needed or protected:
            return delete_selected(self, request, queryset)
        deleted = 0
        for obj in queryset:
            deleted += self._delete_one(request, queryset.filter(pk=obj.pk), obj)
        if deleted:
            self.message_user(
                request,
                gettext("Successfully deleted %(count)d %(items)s.")
                % {"count": deleted, "items": model_ngettext(self.opts, deleted)},
                messages.SUCCESS,
            )
        return None

    def _delete_one(self, request: HttpRequest, row: QuerySet[Any], obj: Any) -> int:
        """Log and delete one row (`row` is its queryset) in a savepoint: 1 if deleted."""
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                self.log_deletions(request, row)
                self.delete_object(obj=obj, actor=request.user)
        except REFUSALS as exc:
            for message in refusal_messages(exc):
                self.message_user(request, f"{obj}: {message}", messages.ERROR)
            return 0
        return 1

    def save_related(
        self,
        request: HttpRequest,
        form: Any,
        formsets: Any,
        change: bool,
    ) -> None:
        """Nothing left to save: the services made the inline rows while their formsets
        were validated (ServiceInline); read-only inlines have nothing to save."""
        for formset in formsets:
            if not isinstance(formset, ServiceInlineFormSet):
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:  # type: ignore[type-arg]
        form = super().get_form(request, obj, change=change, **kwargs)
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
