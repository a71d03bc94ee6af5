from django import forms

from shnor_portal.history import GuardedModelForm

from .models import PublicPage


class PublicPageForm(GuardedModelForm):
    # the page opened before it was first saved carries version 0: a page somebody saved meanwhile is not overwritten
    guards_creation = True

    class Meta:
        model = PublicPage
        fields = ["about", "publish_list"]
        widgets = {"about": forms.Textarea(attrs={"rows": 14})}
