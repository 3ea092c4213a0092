import { flag, parseArgs, UsageError, type CliCommand } from './command';
import { probeDevices, chooseDevice } from '../devices/probe';
import { probeWebGpuHere } from '../devices/webgpu-probe';
import { DEVICE_PREFERENCES, type DevicePreference } from '../protocol';

/** `model-host devices`: what the probe sees, as the extension's Show Host Info would list it. */
export const devicesCommand: CliCommand = {
  name: 'devices',
  summary: 'Probe the execution devices (WebGPU, CUDA, DirectML, CoreML, CPU) and say why any is unavailable',
  usage: `model-host devices [--json] [--device auto|webgpu|cuda|dml|coreml|cpu]

Prints each device with its availability (and the reason when unavailable), then the
device the host would choose for --device (default auto). --json prints one JSON object.
WebGPU on Linux needs a Vulkan driver; without a GPU, SwiftShader works:
  VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp`,
  async run(argv) {
    const args = parseArgs(argv, { values: ['device'], switches: ['json', 'probe-webgpu-here'] });
    if (args.flags.has('probe-webgpu-here')) {
      // Internal: the isolated WebGPU probe child. One JSON line on stdout.
      process.stdout.write(JSON.stringify(await probeWebGpuHere()) + '\n');
      return 0;
    }
    const preference = (flag(args, 'device') ?? 'auto') as DevicePreference;
    if (!DEVICE_PREFERENCES.includes(preference)) throw new UsageError(`--device must be one of ${DEVICE_PREFERENCES.join(', ')}`);
    const messages: string[] = [];
    const log = (_level: string, message: string) => void messages.push(message);
    const devices = await probeDevices(() => undefined);
    const chosen = chooseDevice(preference, devices, log);
    if (args.flags.has('json')) {
      process.stdout.write(JSON.stringify({ devices, preference, chosen }) + '\n');
    } else {
      for (const d of devices) {
        process.stdout.write(
          `${d.kind.padEnd(7)} ${d.available ? 'available' : 'unavailable'}${d.available ? (d.detail ? `  ${d.detail}` : '') : `  ${d.reason}`}\n`,
        );
      }
      process.stdout.write(`chosen for ${preference}: ${chosen}\n`);
    }
    return 0;
  },
};
