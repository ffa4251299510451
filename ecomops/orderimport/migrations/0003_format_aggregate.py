"""ImportFormat.aggregate (how an order amount spread over line rows counts: sum / first) and
ImportFormat.seed_hash (what the seed wrote, so a later seed updates only unedited formats).

Formats seeded before this migration have no seed hash: one whose content is still exactly the
earlier seed's (digests below, computed from that seed with ``seed.content_hash``) gets it, so the
next seed brings it up to date; an edited one keeps an empty hash and is never overwritten."""

import hashlib
import json

from django.db import migrations, models

EARLIER_SEED = {
    "taobao": "5a6ebec4c556ba24f9e050751c8ee40519a3cf07f376d3eea4cc114325eda933",
    "tmall": "a2366ea2fa1725df30a2c6e9c125acab462f9afc14ea0260e5b815aba1f4ce94",
    "jd": "08c7eb60aa2d46e7fa082b3967c0af70e024b471ab42c4d90e55c434801daf24",
    "pinduoduo": "6fe0e4056af6738fdec55fca03516dcb9fb8e6bc0c184124949db7cb74523df9",
    "douyin": "ac11369c94fd01a048e9800348f5c45138d20df9550120dca2000f0dc54308db",
    "amazon": "3836b5577a282223816daa68b237129479e0d8116bd482a0ea41344933ecdf62",
}


def _digest(fmt) -> str:
    # A frozen copy of seed.content_hash.
    payload = {
        "name": fmt.name, "platform": fmt.platform.code if fmt.platform_id else "", "delimiter": fmt.delimiter or ",",
        "columns": fmt.columns or {}, "statuses": fmt.statuses or {}, "datetime_formats": fmt.datetime_formats or [],
        "aggregate": fmt.aggregate or {}, "note": fmt.note or "",
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def mark_unedited(apps, schema_editor):
    ImportFormat = apps.get_model("orderimport", "ImportFormat")
    for fmt in ImportFormat.objects.select_related("platform").filter(code__in=list(EARLIER_SEED)):
        digest = _digest(fmt)
        if digest == EARLIER_SEED[fmt.code]:
            ImportFormat.objects.filter(pk=fmt.pk).update(seed_hash=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("orderimport", "0002_import_files_encrypted_and_purged"),
    ]

    operations = [
        migrations.AddField(
            model_name="importformat",
            name="aggregate",
            field=models.JSONField(blank=True, default=dict,
                                   help_text="订单级金额字段 → sum（各明细行相加）或 first（取第一行）；未写即 first",
                                   verbose_name="多行订单的金额"),
        ),
        migrations.AddField(
            model_name="importformat",
            name="seed_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="初始数据摘要"),
        ),
        migrations.AddField(
            model_name="historicalimportformat",
            name="aggregate",
            field=models.JSONField(blank=True, default=dict,
                                   help_text="订单级金额字段 → sum（各明细行相加）或 first（取第一行）；未写即 first",
                                   verbose_name="多行订单的金额"),
        ),
        migrations.AddField(
            model_name="historicalimportformat",
            name="seed_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="初始数据摘要"),
        ),
        migrations.RunPython(mark_unedited, migrations.RunPython.noop),
    ]
