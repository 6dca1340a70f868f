"""Throughput (images/s) of `extract_to_memmap` and its fraction of the device's peak: the two offline encoders at 96 and
224 px and, on a GPU, ViT-L/14 and ViT-g/14 (DINOv2 architectures, random weights: the speed does not depend on the
weights). FLOPs per image are counted once per model with torch's FlopCounterMode on a batch of two (2 x multiply-adds
of the matmuls and convolutions, attention included); achieved TFLOP/s = images/s x GFLOP/image / 1000. Prints a
markdown table, one row per model, size and preprocessing path.

    python bench/extraction_throughput.py                      # CPU: offline encoders only
    python bench/extraction_throughput.py --giant              # CPU, with the ViT-L/14 and ViT-g/14 too (slow)
    python bench/extraction_throughput.py --device cuda        # GPU: all models, fp16, preprocessing in workers and on the GPU
    python bench/extraction_throughput.py --device cuda --precision bf16 --preprocess device --sizes 224
"""
import argparse, dataclasses, os, sys, tempfile, time
from functools import partial
from pathlib import Path
import numpy as np, torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode
from hume_nb.encoders import Encoder, get_encoder, _imagenet_norm
from hume_nb.extraction import extract_to_memmap, resolve_precision, resolve_preprocess, _workers

GIANTS = {'vit_l14_random': ('vit_large_patch14_dinov2', 1024), 'vit_g14_random': ('vit_giant_patch14_dinov2', 1536)}

# dense (no sparsity) fp16/bf16 tensor-core peak, TFLOP/s, from the vendor's data sheets; the first name contained in
# torch.cuda.get_device_name() wins, so the more specific names come first
PEAK_TFLOPS = {'H200': 989, 'H100 PCIe': 756, 'H100 NVL': 835, 'H100': 989, 'GH200': 989, 'A100': 312, 'L40S': 362,
               'A10G': 70, 'A10': 125, 'L4': 121, 'V100': 125, 'RTX 4090': 165}

def peak_tflops(device_name):
    "The table's dense fp16/bf16 peak of a GPU by its name, or None."
    return next((v for k, v in PEAK_TFLOPS.items() if k in device_name), None)

def giant(name):
    "A DINOv2-sized ViT with random weights, at 224 px with DINOv2's preprocessing."
    from hume_nb.foundation import resize_center_crop
    import timm
    arch, dim = GIANTS[name]
    build = lambda weights_path=None: timm.create_model(arch, pretrained=False, num_classes=0, img_size=224)
    return Encoder(name, dim, build, _imagenet_norm, f'{arch} random weights, shorter side 256 bicubic, centre crop 224', 224,
                   partial(resize_center_crop, resize_to=256, mode='bicubic'), resize_on_device=True)

@torch.inference_mode()
def gflop_per_image(net, size, device):
    "FLOPs of one image through `net` at `size` px, counted on a batch of two; attention through the math kernel, which is counted on every device."
    x = torch.zeros(2, 3, size, size, device=device)
    with sdpa_kernel([SDPBackend.MATH]), FlopCounterMode(display=False) as fc: net(x)
    return fc.get_total_flops() / 2 / 1e9

def measure(net, enc, images, size, batch_size, workers, device, precision, preprocess, folder, compile=False):
    "Seconds, images/s and the features of one extraction into a fresh file; the network is built and warmed up before the clock starts."
    ready = dataclasses.replace(enc, build=lambda weights_path=None: net)
    kw = dict(size=size, batch_size=batch_size, num_workers=workers, device=device, precision=precision, preprocess=preprocess,
              compile=compile, progress=False)
    extract_to_memmap(images[:batch_size], ready, Path(folder)/f'warm_{enc.name}_{size}_{preprocess}.npy', **kw)
    if device.startswith('cuda'): torch.cuda.synchronize()
    t = time.perf_counter()
    f = extract_to_memmap(images, ready, Path(folder)/f'{enc.name}_{size}_{preprocess}.npy', **kw)
    s = time.perf_counter() - t
    return s, len(images) / s, np.asarray(f)

def _num(x): return f'{x:.0f}' if x >= 10 else f'{x:.2f}'

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--n', type=int, help='images per measurement (default 512 on CPU, 8192 on GPU)')
    p.add_argument('--batch-size', type=int, help='default 64 on CPU, 256 on GPU')
    p.add_argument('--precision', default='auto', help='auto: fp16 on cuda, fp32 on CPU')
    p.add_argument('--preprocess', nargs='+', choices=['auto', 'device', 'workers'],
                   help="where images are resized and normalised, one row per choice (default: workers and device on a GPU, "
                        "workers on a CPU); with two or more, the largest feature difference from the first is printed too")
    p.add_argument('--workers', type=int, help='DataLoader worker processes (default: 0 on CPU, up to 8 on GPU)')
    p.add_argument('--threads', type=int, help='torch threads (default: torch\'s own)')
    p.add_argument('--sizes', type=int, nargs='+', default=[96, 224], help='input sizes of the offline encoders')
    p.add_argument('--giant', action='store_true', help='on CPU, measure the ViT-L/14 and ViT-g/14 too')
    p.add_argument('--compile', action='store_true', help='torch.compile each network (compiled during the warm-up, not timed)')
    p.add_argument('--peak-tflops', type=float, help="the device's peak TFLOP/s at this precision (default: the table's dense "
                                                      "fp16/bf16 peak of a known GPU; none on a CPU or in fp32)")
    a = p.parse_args(argv)
    gpu = a.device.startswith('cuda')
    n, bs = a.n or (8192 if gpu else 512), a.batch_size or (256 if gpu else 64)
    if a.threads: torch.set_num_threads(a.threads)
    prec = resolve_precision(a.precision, a.device)
    pres = a.preprocess or (['workers', 'device'] if gpu else ['workers'])
    dev = torch.cuda.get_device_name() if gpu else f'CPU ({os.cpu_count()} cores visible)'
    peak = a.peak_tflops or (peak_tflops(dev) if gpu and prec != 'fp32' else None)
    # 28x28 grey uint8 images, as Fashion-MNIST's: the pixel values do not change the speed
    images = np.random.default_rng(0).integers(0, 256, (n, 28, 28), dtype=np.uint8)
    print(f'device: {dev}; torch {torch.__version__}, {torch.get_num_threads()} threads; {_workers(a.workers, a.device)} DataLoader workers; '
          f'{n} images per row, batch size {bs}, precision {prec}; peak ' + (f'{peak:g} TFLOP/s' if peak else 'unknown (pass --peak-tflops)') + '\n')
    print('| model | input px | batch | precision | preprocess | seconds | images/s | GFLOP/image | TFLOP/s | of peak | max diff |\n'
          '|---|---|---|---|---|---|---|---|---|---|---|', flush=True)
    runs = [(get_encoder(e), s) for e in ('mobilenetv2', 'efficientnet_lite0') for s in a.sizes]
    runs += [(giant(g), 224) for g in GIANTS] if gpu or a.giant else []
    with tempfile.TemporaryDirectory() as d:
        for enc, size in runs:
            m = n if enc.name not in GIANTS or gpu else min(n, 64)   # a ViT-g on a CPU takes seconds per image
            net = enc.build().eval().to(a.device)
            gflop = gflop_per_image(net, enc.size or size, a.device)
            first = None
            for pre in pres:
                pre = resolve_preprocess(pre, enc, a.device)
                s, ips, f = measure(net, enc, images[:m], size, bs, a.workers, a.device, prec, pre, d, a.compile)
                tflops = ips * gflop / 1000
                diff = '-' if first is None else f'{np.abs(f - first).max():.2g}'
                first = f if first is None else first
                frac = f'{tflops / peak:.0%}' if peak else '-'
                print(f'| {enc.name} | {size} | {bs} | {prec} | {pre} | {s:.1f} | {_num(ips)} | {gflop:.3g} | {tflops:.3g} | {frac} | {diff} |', flush=True)
            del net
            if gpu: torch.cuda.empty_cache()
    if not (gpu or a.giant):
        print(f"\nViT-L/14 and ViT-g/14 ({', '.join(a for a, _ in GIANTS.values())}) skipped on the CPU: pass --giant to measure them")

if __name__ == '__main__': main()
