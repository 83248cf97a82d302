"""Who sees which file: the case's own rule (intake/selectors.py), and for a partner
only what was shared with their open referral."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from evidence.models import EvidenceFile
from intake.selectors import get_case_for, through_visible_case
from referrals.models import Referral
from referrals.selectors import get_partner_referral
from referrals.status import OPEN


def files_of(case) -> QuerySet[EvidenceFile]:
    # A file's note is named by its time: its body is never decrypted for that.
    return case.files.live().select_related("added_by", "note").defer("note__body")


def get_file_for(user: User, reference: str, *, write: bool = False, coordinate: bool = False):
    """The file and its case if the user may see the case, else 404 (403 as get_case_for)."""
    row = (
        EvidenceFile.objects.live()
        .filter(through_visible_case(user), reference=reference)
        .values_list("case__reference", flat=True)
        .first()
    )
    if row is None:
        raise Http404
    case = get_case_for(user, row, write=write, coordinate=coordinate)
    return case.files.live().get(reference=reference), case


def shared_files(referral: Referral) -> QuerySet[EvidenceFile]:
    """The files shared with a referral, while it is open: a closed one shows none."""
    if referral.status not in OPEN:
        return EvidenceFile.objects.none()
    return EvidenceFile.objects.live().filter(shares__referral=referral, case=referral.case_id)


def get_shared_file(user: User, referral_reference: str, reference: str):
    """A file shared with the partner user's open referral, else 404."""
    referral = get_partner_referral(user, referral_reference)
    file = shared_files(referral).filter(reference=reference).first()
    if file is None:
        raise Http404
    return file, referral


def shareable_referrals(case) -> list[Referral]:
    """The case's open referrals: a file is shared with one of these only."""
    return list(case.referrals.filter(status__in=OPEN).select_related("partner"))
