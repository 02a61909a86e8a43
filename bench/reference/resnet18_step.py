#!/usr/bin/python3
"""Reference timing only (never shipped with the product): torchvision's ResNet-18 trunk, forward and backward over
N views, as `sada bench step --bare` times it in TorchSharp: BatchNorm in eval mode (frozen statistics, affine trained),
layer4's map averaged, its sum backpropagated. Needs Debian's python3-torch and python3-torchvision (run with
/usr/bin/python3).

    /usr/bin/python3 bench/reference/resnet18_step.py --size 96 --views 72 --threads 2 [--channels-last] [--repeats 3]
"""
import argparse
import time

import torch
import torchvision

parser = argparse.ArgumentParser()
parser.add_argument("--size", type=int, default=224)
parser.add_argument("--views", type=int, default=72)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--warmup", type=int, default=1)
parser.add_argument("--channels-last", action="store_true")
parser.add_argument("--bf16", action="store_true", help="torch.autocast('cpu', dtype=torch.bfloat16) around the forward")
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
resnet = torchvision.models.resnet18()
trunk = torch.nn.Sequential(*list(resnet.children())[:-2])  # without avgpool and fc
trunk.train()
for m in trunk.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.eval()
views = torch.randn(args.views, 3, args.size, args.size)
if args.channels_last:
    trunk = trunk.to(memory_format=torch.channels_last)
    views = views.contiguous(memory_format=torch.channels_last)


def step():
    trunk.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
        r = trunk(views).mean((2, 3))
    r.float().sum().backward()


for _ in range(args.warmup):
    step()
ms = []
for _ in range(args.repeats):
    t = time.perf_counter()
    step()
    ms.append((time.perf_counter() - t) * 1000)
ms.sort()
fmt = "channels-last" if args.channels_last else "NCHW"
print(f"PyTorch {torch.__version__}, torchvision ResNet-18, {args.views} views of {args.size} px, {fmt}{', bf16 autocast' if args.bf16 else ''}, "
      f"{torch.get_num_threads()} thread(s): median {ms[len(ms) // 2]:.1f} ms, min {ms[0]:.1f}, max {ms[-1]:.1f}")
