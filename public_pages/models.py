"""A region's public page: what its department tells the public about the support of ШНОР and ШНСУ (docs/PUBLIC.md).

One row per region, made the first time its department saves the page's settings; until then the page shows the
defaults (`public_page_of`). The figures, acts, practices and events on the page are the portal's own data, read when
the page is shown; only the words and what the department chooses to publish are kept here.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from schools.models import Region

# Seed 000 (the Petrovsky district's model, «II. Участники…», the department's functions) and seed 003 (Atkarsk) put
# the informing of the public among the department's work; seed 002 (Rybinsk) asks the monitoring to be open.
DEFAULT_ABOUT = (
    "Проект поддержки школ с низкими образовательными результатами (ШНОР) и школ, функционирующих в неблагоприятных "
    "социальных условиях (ШНСУ), помогает им перейти в эффективный режим работы за счёт адресной и превентивной "
    "поддержки.\n\n"
    "Ежегодно по результатам оценочных процедур (ОГЭ, ЕГЭ, ВПР) и данным о социальных условиях определяется перечень "
    "школ, которым оказывается поддержка. Каждая такая школа проводит самоанализ и разрабатывает программу перехода "
    "в эффективный режим работы; программы проходят экспертизу. Школы с высокими образовательными результатами "
    "становятся школами-кураторами: заключают договоры о сотрудничестве и сопровождают школы перечня. Педагоги "
    "получают тьюторскую поддержку и индивидуальные планы профессионального развития, лучшие практики собираются в "
    "банке практик и доступны для скачивания, проводятся методические семинары, вебинары и конференции.\n\n"
    "Задачи этой страницы названы в моделях поддержки: «информирование педагогической общественности и "
    "заинтересованных в развитии образования организаций и лиц о ходе и результатах проекта» и «открытость и "
    "общедоступность информации и информационно-аналитических материалов мониторинга проекта». Здесь собраны "
    "нормативные акты, опубликованные практики, ближайшие методические мероприятия и основные показатели по учебным "
    "годам. Персональные данные на странице не публикуются."
)


def default_about() -> str:
    return DEFAULT_ABOUT


class PublicPage(models.Model):
    region = models.OneToOneField(
        Region, verbose_name="регион", on_delete=models.CASCADE, related_name="public_page"
    )
    about = models.TextField(
        "о проекте", default=default_about,
        help_text="Текст в начале открытой страницы: что за проект, кому и как помогают. Абзацы разделяйте пустой "
        "строкой.",
    )
    publish_list = models.BooleanField(
        "Публиковать перечень ШНОР", default=False,
        help_text="Если отмечено, на открытой странице видны наименования ШНОР действующего утверждённого перечня и "
        "их муниципалитеты. Без отметки — только их число.",
    )
    updated_at = models.DateTimeField("изменена", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "открытая страница региона"
        verbose_name_plural = "открытые страницы регионов"

    def __str__(self):
        return f"Открытая страница: {self.region}"


def public_page_of(region: Region) -> PublicPage:
    """The region's page, or — before its department first saved one — an unsaved page with the defaults (nothing is
    written when an anonymous visitor reads it). Reads `region.public_page`: select it with the region."""
    try:
        return region.public_page
    except PublicPage.DoesNotExist:
        return PublicPage(region=region)
