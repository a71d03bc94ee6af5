"""Issue 20: subjects and areas of professional deficits per region (null: the installation's default list, which
every existing row stays — nothing lost); codes unique per region."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0007_event_region_required'),
        ('schools', '0015_territory_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='deficitarea',
            name='region',
            field=models.ForeignKey(blank=True, help_text='Пусто — список по умолчанию для территорий без своего.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deficit_areas', to='schools.region', verbose_name='территория (регион)'),
        ),
        migrations.AddField(
            model_name='historicaldeficitarea',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Пусто — список по умолчанию для территорий без своего.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='schools.region', verbose_name='территория (регион)'),
        ),
        migrations.AddField(
            model_name='historicalsubject',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Пусто — список по умолчанию для территорий без своего.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='schools.region', verbose_name='территория (регион)'),
        ),
        migrations.AddField(
            model_name='subject',
            name='region',
            field=models.ForeignKey(blank=True, help_text='Пусто — список по умолчанию для территорий без своего.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='subjects', to='schools.region', verbose_name='территория (регион)'),
        ),
        migrations.AlterField(
            model_name='deficitarea',
            name='code',
            field=models.SlugField(max_length=64, verbose_name='код'),
        ),
        migrations.AlterField(
            model_name='subject',
            name='code',
            field=models.SlugField(max_length=64, verbose_name='код'),
        ),
        migrations.AddConstraint(
            model_name='deficitarea',
            constraint=models.UniqueConstraint(fields=('region', 'code'), name='deficit_area_unique_region_code', violation_error_message='Область с таким кодом в списке территории уже есть.'),
        ),
        migrations.AddConstraint(
            model_name='deficitarea',
            constraint=models.UniqueConstraint(condition=models.Q(('region__isnull', True)), fields=('code',), name='deficit_area_unique_default_code', violation_error_message='Область с таким кодом в списке по умолчанию уже есть.'),
        ),
        migrations.AddConstraint(
            model_name='subject',
            constraint=models.UniqueConstraint(fields=('region', 'code'), name='subject_unique_region_code', violation_error_message='Предмет с таким кодом в списке территории уже есть.'),
        ),
        migrations.AddConstraint(
            model_name='subject',
            constraint=models.UniqueConstraint(condition=models.Q(('region__isnull', True)), fields=('code',), name='subject_unique_default_code', violation_error_message='Предмет с таким кодом в списке по умолчанию уже есть.'),
        ),
    ]
