"""The official region hierarchy every address in Sinergi points to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.engines import wilayah as engine


class Level(models.IntegerChoices):
    PROVINCE = engine.Level.PROVINCE, _("Province")
    REGENCY = engine.Level.REGENCY, _("Regency/city")
    DISTRICT = engine.Level.DISTRICT, _("District")
    VILLAGE = engine.Level.VILLAGE, _("Village")


class Scheme(models.TextChoices):
    KEMENDAGRI = "kemendagri", _("Kemendagri")
    BPS = "bps", _("BPS")


class RegionQuerySet(models.QuerySet["Region"]):
    def current(self) -> RegionQuerySet:
        return self.filter(retired=False)

    def in_area(self, area_code: str | None) -> RegionQuerySet:
        from sinergi.core.scoping import area_q

        return self.filter(area_q("code", area_code))


class Region(models.Model):
    """A province, regency/city, district (kecamatan) or village (desa/kelurahan).

    Codes are stored dotted, with their scheme and the decree they come from. A code the latest
    decree dropped is kept and marked retired, because NIKs issued under it stay valid for life.
    """

    scheme = models.CharField(
        _("scheme"), max_length=16, choices=Scheme.choices, default=Scheme.KEMENDAGRI
    )
    code = models.CharField(_("code"), max_length=13)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    decree = models.CharField(_("decree"), max_length=80)
    retired = models.BooleanField(_("retired"), default=False)
    replaced_by = models.CharField(_("replaced by"), max_length=13, blank=True)

    history = HistoricalRecords()
    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="region_unique_scheme_code")
        ]
        indexes = [
            models.Index(fields=["level", "name"]),
            # The API list's order: 91,000 regions are not sorted for each page.
            models.Index(fields=["level", "code"], name="region_level_code"),
            # Look-ups by code alone (names of the areas on a page, a user's area): the unique
            # key leads with the scheme, so without this each read all 91,000 rows (17 ms).
            models.Index(fields=["code"], name="region_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def plain_code(self) -> str:
        return engine.plain(self.code)

    @property
    def kind(self) -> str:
        """Kabupaten/kota for regencies, desa/kelurahan for villages, else the level."""
        if self.level == Level.REGENCY:
            return str(_("City") if engine.is_city(self.code) else _("Regency"))
        if self.level == Level.VILLAGE:
            kind = engine.village_kind(self.code)
            return str(
                {"kelurahan": _("Kelurahan"), "desa_adat": _("Customary village")}.get(
                    kind or "", _("Village")
                )
            )
        return str(self.get_level_display())

    @property
    def level_name(self) -> str:
        return str(self.get_level_display())

    @property
    def parent_code(self) -> str | None:
        return engine.parent_of(self.code)

    @property
    def location(self) -> str:
        """Ancestor names from the nearest up ("Sukasari, Kota Bandung, Jawa Barat").

        Cheap only when the parents were fetched with select_related, as region_list does.
        """
        names, node = [], self.parent
        while node is not None:
            names.append(node.name)
            node = node.parent
        return ", ".join(names)

    def ancestor_codes(self) -> list[str]:
        return engine.ancestors_of(self.code)
