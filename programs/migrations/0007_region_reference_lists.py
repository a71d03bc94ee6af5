"""Issue 20: risk factors and the common review checklist per region (null: the installation's default list, which
every existing row stays — nothing lost); a risk factor's code unique per region; the institute as a step's reviewer.

Numbered 0007 beside another branch's 0006: renumbered at the merge."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0006_regional_programme'),
        ('schools', '0015_territory_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalreviewcriterion',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Только для общего чек-листа (без шага). Пусто — общий чек-лист по умолчанию.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='schools.region', verbose_name='территория (регион) общего чек-листа'),
        ),
        migrations.AddField(
            model_name='historicalriskfactor',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Пусто — список по умолчанию для территорий без своего.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='schools.region', verbose_name='территория (регион)'),
        ),
        migrations.AddField(
            model_name='reviewcriterion',
            name='region',
            field=models.ForeignKey(blank=True, help_text='Только для общего чек-листа (без шага). Пусто — общий чек-лист по умолчанию.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='review_criteria', to='schools.region', verbose_name='территория (регион) общего чек-листа'),
        ),
        migrations.AddField(
            model_name='riskfactor',
            name='region',
            field=models.ForeignKey(blank=True, help_text='Пусто — список по умолчанию для территорий без своего.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='risk_factors', to='schools.region', verbose_name='территория (регион)'),
        ),
        migrations.AlterField(
            model_name='historicalreviewstep',
            name='reviewer',
            field=models.CharField(choices=[('coordinator', 'координатор муниципалитета'), ('department', 'управление образования'), ('school', 'школа, которую назначат'), ('organisation', 'эксперт организации, которую назначат'), ('institute', 'институт (методический центр)')], max_length=16, verbose_name='кто проводит'),
        ),
        migrations.AlterField(
            model_name='reviewstep',
            name='reviewer',
            field=models.CharField(choices=[('coordinator', 'координатор муниципалитета'), ('department', 'управление образования'), ('school', 'школа, которую назначат'), ('organisation', 'эксперт организации, которую назначат'), ('institute', 'институт (методический центр)')], max_length=16, verbose_name='кто проводит'),
        ),
        migrations.AlterField(
            model_name='riskfactor',
            name='code',
            field=models.SlugField(max_length=64, verbose_name='код'),
        ),
        migrations.AddConstraint(
            model_name='reviewcriterion',
            constraint=models.CheckConstraint(condition=models.Q(('step__isnull', True), ('region__isnull', True), _connector='OR'), name='review_criterion_region_of_common_list', violation_error_message='Критерий шага принадлежит территории маршрута: территорию указывают только для общего чек-листа.'),
        ),
        migrations.AddConstraint(
            model_name='riskfactor',
            constraint=models.UniqueConstraint(fields=('region', 'code'), name='risk_factor_unique_region_code', violation_error_message='Фактор риска с таким кодом в списке территории уже есть.'),
        ),
        migrations.AddConstraint(
            model_name='riskfactor',
            constraint=models.UniqueConstraint(condition=models.Q(('region__isnull', True)), fields=('code',), name='risk_factor_unique_default_code', violation_error_message='Фактор риска с таким кодом в списке по умолчанию уже есть.'),
        ),
    ]
