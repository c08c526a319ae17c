"""Demo letters: the demo offices' templates signed (fictional heads of office), and the Bandung
group's decree issued, so the demo shows letters at once and every "Issue letter" button works.
"""

from __future__ import annotations

from sinergi.core.scoping import area_q
from sinergi.letters import kinds
from sinergi.letters.models import Kind, Letter, LetterTemplate

# office: (place, abbreviation, signatory, NIP) — fictional people, NIPs of the right shape.
OFFICES = {
    "32": ("Bandung", "Dinsos-Jabar", "Dra. Hj. Ratna Kusumawati, M.Si.", "196803141994032005"),
    "32.73": ("Bandung", "Dinsos-Bdg", "Drs. Hendra Gunawan, M.Si.", "196805121994031007"),
    "32.01": ("Cibinong", "Dinsos-Bgr", "Asep Saepudin, S.Sos., M.M.", "197102201997031003"),
    "33": ("Semarang", "Dinsos-Jateng", "Dr. Bambang Widodo, M.Si.", "196909091995031002"),
}


def seed_letters() -> dict[str, int]:
    from sinergi.accounts.models import User
    from sinergi.kube.models import Kube, Status
    from sinergi.letters.services import letter_issue

    if Letter.objects.exists():
        return {"letters": Letter.objects.count()}
    for office, (place, abbreviation, name, nip) in OFFICES.items():
        for kind in Kind.values:
            LetterTemplate.objects.update_or_create(
                kind=kind,
                office_code=office,
                defaults={
                    **kinds.default_fields(kind),
                    "place": place,
                    "office_abbreviation": abbreviation,
                    "signatory_name": name,
                    "signatory_nip": nip,
                },
            )
    officer = User.objects.filter(username="dinsos.bandung").first()
    kube = Kube.objects.filter(area_q("area_code", "32.73"), status=Status.ACTIVE).first()
    if officer is not None and kube is not None:
        letter_issue(actor=officer, kind=Kind.KUBE_DECREE, object_id=kube.pk)
    return {"templates": LetterTemplate.objects.count(), "letters": Letter.objects.count()}
