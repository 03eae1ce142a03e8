from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import ForeignKey, QuerySet
from django.forms import BaseModelFormSet, ModelChoiceField, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from akto_portal.admin_export import ImportExportMixin
from akto_portal.history_admin import HistoryAdmin
from akto_portal.http import signed_in_user
from akto_portal.inline_formsets import ConstraintMessageInlineFormSet
from akto_portal.locking import LockedAdminMixin
from conventions.forms import ConventionRenewForm
from conventions.models import (
    ActionPlan,
    ActionPlanAxis,
    Convention,
    ConventionAxis,
    Indicator,
    IndicatorValue,
    Partner,
    Signatory,
)
from conventions.resources import (
    ConventionResource,
    IndicatorResource,
    IndicatorValueResource,
    PartnerResource,
)
from conventions.services import ConventionError, Renewal, convention_renew


@admin.register(Partner)
class PartnerAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [PartnerResource]
    list_display = ["name", "kind"]
    list_filter = ["kind", "regions"]
    search_fields = ["name"]
    filter_horizontal = ["regions"]


class ActionPlanAxisInline(admin.TabularInline):
    formset = ConstraintMessageInlineFormSet
    model = ActionPlanAxis
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "year"]
    inlines = [ActionPlanAxisInline]
    autocomplete_fields = ["source"]


@admin.register(ActionPlanAxis)
class ActionPlanAxisAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan"]
    search_fields = ["title", "plan__title"]


class ConventionAxisInline(LockedAdminMixin, admin.TabularInline):
    formset = ConstraintMessageInlineFormSet
    model = ConventionAxis
    extra = 0


class IndicatorInline(LockedAdminMixin, admin.TabularInline):
    formset = ConstraintMessageInlineFormSet
    model = Indicator
    extra = 0
    fields = [
        "position",
        "name",
        "axis",
        "unit",
        "computation",
        "baseline",
        "baseline_qualifier",
        "target",
        "target_source",
    ]
    autocomplete_fields = ["target_source"]
    show_change_link = True

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        # Offer only the axes of the convention being edited.
        if db_field.name == "axis":
            match = request.resolver_match
            object_id = match.kwargs.get("object_id") if match else None
            kwargs["queryset"] = (
                ConventionAxis.objects.filter(convention_id=object_id)
                if object_id
                else ConventionAxis.objects.none()  # an add form: no axis yet
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SignatoryInline(admin.TabularInline):
    formset = ConstraintMessageInlineFormSet
    model = Signatory
    extra = 0


@admin.register(Convention)
class ConventionAdmin(LockedAdminMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [ConventionResource]
    list_display = ["title", "kind", "status", "region", "start_on", "end_on", "signed_on"]
    list_filter = [
        "status",
        "kind",
        ("region", admin.RelatedOnlyFieldListFilter),
        ("start_on", admin.DateFieldListFilter),
        ("end_on", admin.DateFieldListFilter),
    ]
    search_fields = ["title", "partners__name", "region__name"]
    autocomplete_fields = ["partners", "region", "parent", "renews", "source"]
    list_select_related = ["region"]
    inlines = [ConventionAxisInline, IndicatorInline, SignatoryInline]
    actions = ["renew"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "status", "partners", "summary"]}),
        ("Périmètre", {"fields": ["region", "parent"]}),
        (
            "Période et signature",
            {"fields": ["start_on", "end_on", "signed_on", "signed_on_precision", "renews"]},
        ),
        ("Source", {"fields": ["source"]}),
    ]

    # Renewing creates a convention: for those who may add one (administrators).
    @admin.action(description="Renouveler pour une nouvelle période", permissions=["add"])
    def renew(self, request: HttpRequest, queryset: QuerySet[Convention]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, "Choisissez une seule convention à renouveler.", messages.WARNING
            )
            return None
        convention = queryset.get()
        if "apply" in request.POST:
            form = ConventionRenewForm(request.POST)
            if form.is_valid():
                try:
                    result = convention_renew(convention=convention, **form.cleaned_data)
                except ConventionError as exc:
                    form.add_error(None, exc)
                else:
                    self._report_renewal(request, convention, result)
                    return redirect(
                        reverse("admin:conventions_convention_change", args=[result.convention.pk])
                    )
        else:
            form = ConventionRenewForm(initial=ConventionRenewForm.initial_for(convention))
        return TemplateResponse(
            request,
            "admin/conventions/convention/renew.html",
            {
                **self.admin_site.each_context(request),
                "title": "Renouveler une convention",
                "convention": convention,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    def _report_renewal(
        self, request: HttpRequest, convention: Convention, result: Renewal
    ) -> None:
        renewal = result.convention
        if not result.created:
            self.message_user(
                request,
                f"« {renewal.parent} » a déjà sa déclinaison en {renewal.region} : "
                f"« {renewal} ». Aucune convention n'a été créée : « {renewal} » est "
                f"désormais liée à « {convention} » comme son renouvellement.",
                messages.WARNING,
            )
            return
        message = f"« {renewal} » créée, liée à « {convention} »."
        if renewal.parent_id:
            message += f" C'est la déclinaison en {renewal.region} de « {renewal.parent} »."
        if result.declinations:
            names = ", ".join(f"« {d} »" for d in result.declinations)
            message += f" Déclinaisons régionales renouvelées avec elle : {names}."
        self.message_user(request, message)


class IndicatorValueInline(LockedAdminMixin, admin.TabularInline):
    formset = ConstraintMessageInlineFormSet
    model = IndicatorValue
    extra = 0
    fields = ["as_of", "value", "qualifier", "source", "entered_by", "entered_at"]
    readonly_fields = ["entered_by", "entered_at"]
    autocomplete_fields = ["source"]


@admin.register(Indicator)
class IndicatorAdmin(LockedAdminMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["name", "convention", "unit", "computation", "target"]
    list_filter = ["computation", "unit", "convention"]
    search_fields = ["name", "convention__title"]
    autocomplete_fields = ["convention", "target_source"]
    inlines = [IndicatorValueInline]

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[Any],
        formset: BaseModelFormSet[Any, Any],
        change: bool,
    ) -> None:
        for obj in formset.save(commit=False):
            if isinstance(obj, IndicatorValue) and obj.entered_by_id is None:
                obj.entered_by = signed_in_user(request)
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(IndicatorValue)
class IndicatorValueAdmin(LockedAdminMixin, ImportExportMixin, HistoryAdmin):
    resource_classes = [IndicatorValueResource]
    list_display = ["indicator", "value", "qualifier", "as_of", "source", "entered_by"]
    list_filter = ["as_of", "source__kind"]
    search_fields = ["indicator__name"]
    autocomplete_fields = ["indicator", "source"]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(
        self, request: HttpRequest, obj: IndicatorValue, form: ModelForm[Any], change: bool
    ) -> None:
        if obj.entered_by_id is None:
            obj.entered_by = signed_in_user(request)
        super().save_model(request, obj, form, change)
