from django import forms
from django.utils.translation import gettext_lazy as _

OFFSET_CHOICES = [
    ("wgs84", _("WGS-84 / CGCS2000 (GPS, surveyors, Tianditu)")),
    ("gcj02", _("GCJ-02 (AMap, Tencent maps): convert to WGS-84")),
    ("bd09", _("BD-09 (Baidu maps): convert to WGS-84")),
]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GIS file"),
        help_text=_("GeoJSON, GeoPackage, KML, GPX or a zipped Shapefile (with its .prj), up to 20 MB."),
    )
    offset = forms.ChoiceField(label=_("Coordinates taken from"), choices=OFFSET_CHOICES, initial="wgs84")


class ImportConfirmForm(forms.Form):
    offset = forms.ChoiceField(choices=OFFSET_CHOICES, widget=forms.HiddenInput)
    project = forms.ModelChoiceField(label=_("Project"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind of works"), required=False)

    def __init__(self, *args, projects, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["kind"].choices = [
            ("", _("From the shape (polygon: tea garden, line: pipe, point: reservoir)")),
            *kinds,
        ]
