"""账物相符 (WMS-13): do the balances equal the ledger, and the reserved quantities the reservations?

The ledger is the truth. For every SKU × bin × lot, on-hand must equal everything posted into the
bin minus everything posted out of it; reserved must equal what the active reservations hold there.
Both are summed in the database (GROUP BY), so the check streams over any size of ledger.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from .enums import ReservationState
from .models import ReservationAllocation, StockBalance, StockMove


@dataclass(frozen=True)
class Difference:
    sku_id: int
    bin_id: int
    lot_id: int
    field: str  # "on_hand" or "reserved"
    books: int  # what the balance says
    ledger: int  # what the ledger / reservations say

    def __str__(self) -> str:
        return (
            f"sku={self.sku_id} bin={self.bin_id} lot={self.lot_id} {self.field}: balance {self.books} ≠ {self.ledger}"
        )


def differences(warehouse_id: int | None = None) -> list[Difference]:
    ledger: dict[tuple[int, int, int], int] = defaultdict(int)
    moves = StockMove.objects.all()
    if warehouse_id is not None:
        ins = moves.filter(to_warehouse_id=warehouse_id)
        outs = moves.filter(from_warehouse_id=warehouse_id)
    else:
        ins = moves.filter(to_bin__isnull=False)
        outs = moves.filter(from_bin__isnull=False)
    for row in ins.values("sku_id", "to_bin_id", "lot_id").annotate(q=Sum("quantity")).order_by():
        ledger[(row["sku_id"], row["to_bin_id"], row["lot_id"])] += row["q"]
    for row in outs.values("sku_id", "from_bin_id", "lot_id").annotate(q=Sum("quantity")).order_by():
        ledger[(row["sku_id"], row["from_bin_id"], row["lot_id"])] -= row["q"]

    held: dict[int, int] = defaultdict(int)
    allocations = ReservationAllocation.objects.filter(reservation__state=ReservationState.ACTIVE)
    if warehouse_id is not None:
        allocations = allocations.filter(balance__warehouse_id=warehouse_id)
    for row in allocations.values("balance_id").annotate(q=Sum("quantity")).order_by():
        held[row["balance_id"]] = row["q"]

    found: list[Difference] = []
    balances = StockBalance.objects.all()
    if warehouse_id is not None:
        balances = balances.filter(warehouse_id=warehouse_id)
    seen = set()
    for b in balances.values("pk", "sku_id", "bin_id", "lot_id", "on_hand", "reserved").iterator(chunk_size=5000):
        key = (b["sku_id"], b["bin_id"], b["lot_id"])
        seen.add(key)
        if b["on_hand"] != ledger.get(key, 0):
            found.append(Difference(*key, "on_hand", b["on_hand"], ledger.get(key, 0)))
        if b["reserved"] != held.get(b["pk"], 0):
            found.append(Difference(*key, "reserved", b["reserved"], held.get(b["pk"], 0)))
    for key, quantity in ledger.items():
        if key not in seen and quantity != 0:
            found.append(Difference(*key, "on_hand", 0, quantity))
    return found
