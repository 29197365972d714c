#!/usr/bin/env bash
# Installs the optional parts of HilRig on Debian. The default path (the scenario catalogue on the
# virtual bench, and `dotnet test HilRig.sln`) needs nothing but the .NET 10 SDK; these are extras.
#
#   ./setup.sh mosquitto   the mosquitto broker, for benches with `broker: { kind: mosquitto }`, and its clients
#                          (docs/cloud.md §5) and the tests that run the servers on it
#   ./setup.sh chromium    Debian's chromium, for the live page test of `hilrig serve` (skipped without it)
#   ./setup.sh qemu        QEMU (qemu-system-arm) and the Cortex-M cross toolchain (gcc-arm-none-eabi, newlib),
#                          for the reference chip on QEMU mps2-an385 (wiring/sim-chain-qemu.yaml)
#   ./setup.sh bench-group the group "hilrig" and the bench lock directory /run/hilrig (group hilrig, mode 2770,
#                          made again at every boot by systemd-tmpfiles), so the service and every bench user in
#                          the group see each other's bench locks; add users with `usermod -aG hilrig NAME`
#   ./setup.sh pi          libgpiod2 (the GPIO power backend), hostapd and dnsmasq-base (the bench's WiFi access point,
#                          DHCP and DNS, which the rig runs itself) on a Raspberry Pi bench (docs/wiring.md)
#   ./setup.sh network     dnsmasq-base and udhcpc, for the network double (the bench network in a network namespace,
#                          root only): dnsmasq serves its DHCP and DNS, udhcpc is the module's DHCP client. dnsmasq-base,
#                          not dnsmasq: the latter starts a system service; the rig starts its own, bound to the bench network
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
    # mosquitto-clients, openssl and curl: the real clients the TLS tests run against the bench's servers
    # (mosquitto_pub --cafile, openssl s_client -CAfile, curl --cacert); they skip with that reason without them.
    apt_install mosquitto mosquitto-clients openssl curl
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
  bench-group)
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo groupadd -f hilrig
    echo "d /run/hilrig 2770 root hilrig -" | $sudo tee /etc/tmpfiles.d/hilrig.conf >/dev/null
    if command -v systemd-tmpfiles >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      $sudo systemd-tmpfiles --create /etc/tmpfiles.d/hilrig.conf
    else
      $sudo install -d -m 2770 -o root -g hilrig /run/hilrig
    fi
    ls -ld /run/hilrig
    echo "bench users: sudo usermod -aG hilrig NAME (then log in again)"
    ;;
  pi)
    apt_install libgpiod2 hostapd dnsmasq-base
    ;;
  network)
    apt_install dnsmasq-base udhcpc
    /usr/sbin/dnsmasq --version | head -1
    ;;
  report)
    echo "setup.sh report: nothing to install; the Cucumber HTML report is built in (Cucumber.HtmlFormatter from NuGet)"
    ;;
  *)
    echo "usage: ./setup.sh mosquitto|chromium|qemu|pi|network|report|bench-group" >&2
    exit 2
    ;;
esac
