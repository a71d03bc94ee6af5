"""django-import-export resources: schools and yearly profiles in and out of the back office as xlsx."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from .models import Cluster, Municipality, School, SchoolYearProfile


class MunicipalityByNameWidget(ForeignKeyWidget):
    def __init__(self):
        super().__init__(Municipality, field="name")


class SchoolResource(resources.ModelResource):
    municipality = fields.Field("municipality", "муниципалитет", widget=MunicipalityByNameWidget())
    cluster = fields.Field("cluster", "кластер (код)", widget=ForeignKeyWidget(Cluster, field="code"))

    class Meta:
        model = School
        import_id_fields = ["municipality", "short_name"]
        fields = [
            "municipality", "short_name", "name", "kind", "locality", "is_small", "address", "director",
            "phone", "email", "website", "inn", "ogrn", "cluster", "cluster_set_by_hand",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = False
        use_transactions = True


class SchoolYearProfileResource(resources.ModelResource):
    municipality = fields.Field("school__municipality__name", "муниципалитет", readonly=True)
    school = fields.Field("school", "школа (id)", widget=ForeignKeyWidget(School))

    class Meta:
        model = SchoolYearProfile
        import_id_fields = ["school", "year"]
        fields = [
            "municipality", "school", "year", "pupils", "graduates_9", "graduates_11", "teachers", "vacancies",
            "share_low_income", "share_single_parent", "pupils_on_register", "share_special_needs",
            "share_parents_higher_education", "teachers_under_35", "teachers_over_55",
            "teachers_highest_category", "teachers_first_category",
        ]
        export_order = fields
        skip_unchanged = True
        use_transactions = True
