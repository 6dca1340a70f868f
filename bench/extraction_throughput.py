"""Throughput (images/s) of `extract_to_memmap`: the two offline encoders at 96 and 224 px and, on a GPU, ViT-L/14 and
ViT-g/14 (DINOv2 architectures, random weights: the speed does not depend on the weights). Prints a markdown table.

    python bench/extraction_throughput.py                      # CPU: offline encoders only
    python bench/extraction_throughput.py --giant              # CPU, with the ViT-L/14 and ViT-g/14 too (slow)
    python bench/extraction_throughput.py --device cuda        # GPU: all models, fp16 by default
"""
import argparse, dataclasses, os, sys, tempfile, time
from functools import partial
from pathlib import Path
import numpy as np, torch
from hume_nb.encoders import Encoder, get_encoder, _imagenet_norm
from hume_nb.extraction import extract_to_memmap, resolve_precision, _workers

GIANTS = {'vit_l14_random': ('vit_large_patch14_dinov2', 1024), 'vit_g14_random': ('vit_giant_patch14_dinov2', 1536)}

def giant(name):
    "A DINOv2-sized ViT with random weights, at 224 px with DINOv2's preprocessing."
    from hume_nb.foundation import resize_center_crop
    import timm
    arch, dim = GIANTS[name]
    build = lambda weights_path=None: timm.create_model(arch, pretrained=False, num_classes=0, img_size=224)
    return Encoder(name, dim, build, _imagenet_norm, f'{arch} random weights, shorter side 256 bicubic, centre crop 224', 224,
                   partial(resize_center_crop, resize_to=256, mode='bicubic'))

def measure(enc, images, size, batch_size, workers, device, precision, folder):
    "Seconds and images/s of one extraction into a fresh file; the network is built and warmed up before the clock starts."
    net = enc.build().eval().to(device)
    ready = dataclasses.replace(enc, build=lambda weights_path=None: net)
    kw = dict(size=size, batch_size=batch_size, num_workers=workers, device=device, precision=precision, progress=False)
    extract_to_memmap(images[:batch_size], ready, Path(folder)/f'warm_{enc.name}_{size}.npy', **kw)
    t = time.perf_counter()
    extract_to_memmap(images, ready, Path(folder)/f'{enc.name}_{size}.npy', **kw)
    s = time.perf_counter() - t
    return s, len(images) / s

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--n', type=int, help='images per measurement (default 512 on CPU, 8192 on GPU)')
    p.add_argument('--batch-size', type=int, help='default 64 on CPU, 256 on GPU')
    p.add_argument('--precision', default='auto', help='auto: fp16 on cuda, fp32 on CPU')
    p.add_argument('--workers', type=int, help='DataLoader worker processes (default: 0 on CPU, up to 8 on GPU)')
    p.add_argument('--threads', type=int, help='torch threads (default: torch\'s own)')
    p.add_argument('--sizes', type=int, nargs='+', default=[96, 224], help='input sizes of the offline encoders')
    p.add_argument('--giant', action='store_true', help='on CPU, measure the ViT-L/14 and ViT-g/14 too')
    a = p.parse_args(argv)
    gpu = a.device.startswith('cuda')
    n, bs = a.n or (8192 if gpu else 512), a.batch_size or (256 if gpu else 64)
    if a.threads: torch.set_num_threads(a.threads)
    prec = resolve_precision(a.precision, a.device)
    # 28x28 grey uint8 images, as Fashion-MNIST's: the pixel values do not change the speed
    images = np.random.default_rng(0).integers(0, 256, (n, 28, 28), dtype=np.uint8)
    dev = torch.cuda.get_device_name() if gpu else f'CPU ({os.cpu_count()} cores visible)'
    print(f'device: {dev}; torch {torch.__version__}, {torch.get_num_threads()} threads; {_workers(a.workers, a.device)} DataLoader workers; '
          f'{n} images per row, batch size {bs}, precision {prec}\n')
    print('| model | input px | batch | precision | seconds | images/s |\n|---|---|---|---|---|---|', flush=True)
    runs = [(get_encoder(e), s) for e in ('mobilenetv2', 'efficientnet_lite0') for s in a.sizes]
    runs += [(giant(g), 224) for g in GIANTS] if gpu or a.giant else []
    with tempfile.TemporaryDirectory() as d:
        for enc, size in runs:
            m = n if enc.name not in GIANTS or gpu else min(n, 64)   # a ViT-g on a CPU takes seconds per image
            s, ips = measure(enc, images[:m], size, bs, a.workers, a.device, prec, d)
            print(f'| {enc.name} | {size} | {bs} | {prec} | {s:.1f} | {ips:.0f} |' if ips >= 10 else f'| {enc.name} | {size} | {bs} | {prec} | {s:.1f} | {ips:.2f} |', flush=True)
    if not (gpu or a.giant):
        print(f"\nViT-L/14 and ViT-g/14 ({', '.join(a for a, _ in GIANTS.values())}) skipped on the CPU: pass --giant to measure them")

if __name__ == '__main__': main()
