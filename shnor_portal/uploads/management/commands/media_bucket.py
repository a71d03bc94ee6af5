from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Копия файлов из корзины S3 (AWS_STORAGE_BUCKET_NAME) в архив резервной копии и обратно; "
        "вызывается из scripts/backup.sh и scripts/restore.sh. backup АРХИВ — все объекты в media.tar.gz; "
        "restore АРХИВ — все файлы архива в корзину; count — сколько объектов в корзине."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["backup", "restore", "count"])
        parser.add_argument("archive", nargs="?")

    def handle(self, *args, action, archive, **options):
        if not hasattr(default_storage, "open_stream"):
            raise CommandError("Корзина S3 не настроена (AWS_STORAGE_BUCKET_NAME): файлы лежат в MEDIA_ROOT.")
        from shnor_portal.s3 import archive_to_bucket, bucket_count, bucket_to_archive

        if action == "count":
            self.stdout.write(str(bucket_count(default_storage)))
            return
        if not archive:
            raise CommandError("Укажите архив: media_bucket backup|restore ПУТЬ/media.tar.gz")
        if action == "backup":
            count = bucket_to_archive(default_storage, archive)
            self.stderr.write(f"Из корзины {default_storage.bucket_name} в {archive}: {count} файлов.")
        else:
            count = archive_to_bucket(default_storage, archive)
            self.stderr.write(f"Из {archive} в корзину {default_storage.bucket_name}: {count} файлов.")
