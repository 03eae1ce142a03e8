from django import forms
from django.core.files.uploadedfile import UploadedFile

KIND_CHOICES = [
    ("contracts", "Contrats de l'OPCO (nombres agrégés ou une ligne par contrat)"),
    ("market", "Statistiques publiques du marché (baromètre ou IND-313)"),
]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="Nature du fichier", choices=KIND_CHOICES, initial="contracts")
    file = forms.FileField(
        label="Fichier CSV ou XLSX",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        # Control characters (a NUL byte) in a name: PostgreSQL refuses them.
        upload.name = "".join(c for c in upload.name if c.isprintable()) or "fichier"
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError("Un fichier .csv ou .xlsx est attendu.")
        return upload
