@sim @cloud @tls
Feature: TLS between the WiFi module and the bench's servers
  On a bench whose wiring says network: tls: true, the target OTA server speaks MQTT over TLS and
  serves firmware over HTTPS, and every vendor broker speaks MQTT over TLS, with certificates from
  the bench's own certificate authority (docs/cloud.md §6). The module's firmware trusts that CA
  and no other: a server it cannot verify is refused, and the module says why in its log.

  Scenario: A module that trusts the bench CA connects to its servers over TLS
    Given the module is configured for vendor server "acme"
    And the bench "sim-chain-tls" is powered on
    Then the module is connected to vendor server "acme"
    And the target server holds a report from the module with WiFi firmware "2.0.0" and vendor server "acme"
    And the module's log says "vendor server 'acme': connected to "
    And the module's log says "over TLS as dev-0001"

  Scenario: A module given a wrong CA refuses the servers and says so
    Given the module's firmware trusts another certificate authority
    And the module is configured for vendor server "acme"
    And the bench "sim-chain-tls" is powered on
    Then the module's log says "vendor server 'acme': TLS: refusing " at least twice
    And the module's log says "target server 'hilrig-ota': TLS: refusing "
    And the module's log says "is not signed by the CA it trusts (CN=Some other bench CA"
    And vendor server "acme" has no connection from the module
    And vendor server "hilrig-ota" has no connection from the module
