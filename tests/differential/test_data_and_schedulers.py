"""The default collate of DataLoader and the learning-rate schedulers (with a
param group added by ``add_param_group``) against PyTorch's."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data

import minigrad as mg
import minigrad.optim as mg_optim


# -- default collate ----------------------------------------------------------------

def image(i):
    return np.full((2, 2), i, dtype=np.float32)


SAMPLES = {
    "floats": [0.5, 1.5, 2.5],
    "ints": [3, 1, 2],
    "arrays": [image(i) for i in range(3)],
    "tuples": [(image(i), i) for i in range(3)],
    "nested_tuples": [(image(i), (i, float(i) / 2)) for i in range(3)],
    "dicts": [{"x": image(i), "label": i} for i in range(3)],
    "lists": [[image(i), i] for i in range(3)],
    "strings": [(image(i), f"name{i}") for i in range(3)],
}


def same_batch(mine, theirs, where="batch"):
    """The same structure with the same tensors (values, dtype, shape)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(mine, mg.Tensor), f"{where}: {type(mine).__name__}, torch has a tensor"
        assert np.dtype(mine.dtype) == np.dtype(str(theirs.dtype).replace("torch.", "")), where
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy(), err_msg=where)
    elif isinstance(theirs, dict):
        assert isinstance(mine, dict) and mine.keys() == theirs.keys(), where
        for key in theirs:
            same_batch(mine[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        # PyTorch collates tuple samples into a list, and so does minigrad
        assert type(mine) is type(theirs) and len(mine) == len(theirs), \
            f"{where}: {type(mine).__name__} of {len(mine)}, torch's {type(theirs).__name__}"
        for i, (m, t) in enumerate(zip(mine, theirs)):
            same_batch(m, t, f"{where}[{i}]")
    else:
        assert mine == theirs, where


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_default_collate_matches_torch(kind):
    samples = SAMPLES[kind]
    theirs = list(torch.utils.data.DataLoader(samples, batch_size=2))
    mine = list(mg.data.DataLoader(samples, batch_size=2))
    assert len(mine) == len(theirs)
    for m, t in zip(mine, theirs):
        same_batch(m, t)


# -- schedulers with an added param group --------------------------------------------

SCHEDULERS = {
    "StepLR": lambda sched, opt: sched.StepLR(opt, step_size=2, gamma=0.5),
    "MultiStepLR": lambda sched, opt: sched.MultiStepLR(opt, milestones=[1, 3], gamma=0.3),
    "ExponentialLR": lambda sched, opt: sched.ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR": lambda sched, opt: sched.CosineAnnealingLR(opt, T_max=4, eta_min=0.01),
    "LinearLR": lambda sched, opt: sched.LinearLR(opt, start_factor=0.5, total_iters=3),
    "MultiplicativeLR": lambda sched, opt: sched.MultiplicativeLR(opt, lambda epoch: 0.8),
}


def learning_rates(lib, optim, make_scheduler, add_group_after):
    """The lr of every group over six epochs; a third group joins at epoch 0
    (before the scheduler is made) or at epoch 2 (after)."""
    params = [lib.tensor(np.ones(2), requires_grad=True) for _ in range(3)]
    opt = optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], lr=0.1)
    if not add_group_after:
        opt.add_param_group({"params": [params[2]], "lr": 0.02})
    scheduler = make_scheduler(optim.lr_scheduler, opt)
    history = []
    for epoch in range(6):
        if add_group_after and epoch == 2:
            opt.add_param_group({"params": [params[2]], "lr": 0.02})
        opt.step()
        scheduler.step()
        history.append([group["lr"] for group in opt.param_groups])
    return history


@pytest.mark.parametrize("name", SCHEDULERS)
@pytest.mark.parametrize("add_group_after", [False, True], ids=["group_before", "group_after"])
def test_scheduler_follows_added_group_as_torch(name, add_group_after):
    try:
        theirs = learning_rates(torch, torch.optim, SCHEDULERS[name], add_group_after)
    except ValueError as exc:   # PyTorch refuses: minigrad must refuse too
        with pytest.raises(ValueError):
            learning_rates(mg, mg_optim, SCHEDULERS[name], add_group_after)
        return
    mine = learning_rates(mg, mg_optim, SCHEDULERS[name], add_group_after)
    assert [len(epoch) for epoch in mine] == [len(epoch) for epoch in theirs]
    for epoch, (ours_lrs, their_lrs) in enumerate(zip(mine, theirs)):   # groups join later
        np.testing.assert_allclose(ours_lrs, their_lrs, rtol=1e-12, err_msg=f"epoch {epoch}")
