#!/usr/bin/env bash
# Installs the optional parts of HilRig on Debian. The default path (the scenario catalogue on the
# virtual bench, and `dotnet test HilRig.sln`) needs nothing but the .NET 10 SDK; these are extras.
#
#   ./setup.sh mosquitto   the mosquitto broker, for benches with `broker: { kind: mosquitto }`
#                          (docs/cloud.md §5) and the tests that run the servers on it
#   ./setup.sh chromium    Debian's chromium, for the live page test of `hilrig serve` (skipped without it)
#   ./setup.sh qemu        QEMU (qemu-system-arm) and the Cortex-M cross toolchain (gcc-arm-none-eabi, newlib),
#                          for the reference chip on QEMU mps2-an385 (wiring/sim-chain-qemu.yaml)
#   ./setup.sh pi          libgpiod2, for the GPIO power backend on a Raspberry Pi bench (docs/wiring.md)
#   ./setup.sh report      nothing any more: `hilrig report html` (and the report.html every `hilrig run` writes)
#                          use the Cucumber.HtmlFormatter NuGet package; no Node.js or npm. Kept so old scripts work.
#
# Packages are installed without recommends. Run as root or with sudo available.
set -euo pipefail

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

case "${1:-}" in
  mosquitto)
    apt_install mosquitto
    # The package enables a system service on port 1883; the rig starts its own instances on loopback
    # ports it picks, so the system one is left as the package set it up.
    mosquitto -h 2>&1 | head -1 || true
    ;;
  chromium)
    apt_install chromium
    chromium --version || true
    ;;
  qemu)
    apt_install qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi make
    qemu-system-arm --version | head -1
    ;;
  pi)
    apt_install libgpiod2
    ;;
  report)
    echo "setup.sh report: nothing to install; the Cucumber HTML report is built in (Cucumber.HtmlFormatter from NuGet)"
    ;;
  *)
    echo "usage: ./setup.sh mosquitto|chromium|qemu|pi|report" >&2
    exit 2
    ;;
esac
