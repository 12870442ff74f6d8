"""The bulk helpers behind big drawings give the same answers as the plain ways."""
from __future__ import annotations

import numpy as np
import shapely

from converter.classify.union import touching_components, union_by_component
from converter.runtime.parallel import MIN_ITEMS_TO_FORK, fork_all, fork_map, split_evenly, worker_count


def test_union_by_component_matches_union_all():
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 50, size=(400, 2))
    boxes = list(shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + rng.uniform(0.5, 3, 400), xy[:, 1] + 1.0))
    ours, ref = union_by_component(boxes), shapely.union_all(boxes)
    assert abs(ours.area - ref.area) < 1e-6
    assert shapely.symmetric_difference(ours, ref).area < 1e-6


def test_components_follow_chains():
    chain = [shapely.box(k, 0, k + 1, 1) for k in range(5)] + [shapely.box(20, 20, 21, 21)]
    label = touching_components(chain)
    assert len(set(label[:5].tolist())) == 1 and label[5] != label[0]


def test_fork_map_keeps_order_and_results():
    items = list(range(MIN_ITEMS_TO_FORK + 11))
    out = [x for chunk in fork_map(lambda c: [v * v for v in c], items) for x in chunk]
    assert out == [v * v for v in items]
    assert [len(c) for c in split_evenly(list(range(5)), 2)] == [3, 2]


def test_union_by_component_big_chain_and_invalid_piece():
    """A long chain reduces over many rounds; a bow-tie (invalid) piece still unions as union_all does."""
    chain = [shapely.box(k * 0.9, 0, k * 0.9 + 1, 1) for k in range(37)]
    bowtie = shapely.Polygon([(100, 0), (101, 1), (101, 0), (100, 1)])
    ours = union_by_component(chain + [bowtie])
    ref = shapely.union_all(chain)
    assert abs(ours.area - ref.area - shapely.union_all([bowtie]).area) < 1e-6
    assert shapely.symmetric_difference(ours.intersection(shapely.box(-1, -1, 50, 2)), ref).area < 1e-6


def test_fork_all_runs_tasks_in_order_and_survives_a_failing_helper():
    import os

    parent = os.getpid()
    assert fork_all([lambda: 1, lambda: os.getpid() != parent]) == [1, worker_count() > 1]
    assert fork_all([lambda: 1, lambda: os.getpid()], worth_it=False) == [1, parent]
    calls = []

    def flaky():  # raises in the forked helper, succeeds when the parent recomputes it
        if os.getpid() != parent:
            raise RuntimeError("helper failed")
        calls.append(1)
        return "recomputed"

    assert fork_all([lambda: 0, flaky]) == [0, "recomputed"] and calls == [1]


def test_segment_distance_matches_shapely():
    from converter.classify.walls import segment_distance

    rng = np.random.default_rng(3)
    p, q = rng.uniform(0, 10, (2000, 4)), rng.uniform(0, 10, (2000, 4))
    q[:500] = p[:500] + 0.5  # parallel neighbours
    q[500:600, 2:] = q[500:600, :2]  # degenerate: a point
    q[600:700] = p[600:700][:, [2, 3, 0, 1]]  # the same segment reversed
    ref = shapely.distance(shapely.linestrings(p.reshape(-1, 2, 2)), shapely.linestrings(q.reshape(-1, 2, 2)))
    assert np.allclose(segment_distance(p, q), ref, atol=1e-9)
