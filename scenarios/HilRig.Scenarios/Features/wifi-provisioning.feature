@sim @cloud
Feature: The WiFi module's network config and its connections
  At boot the WiFi module reads its network config: flag 1 means "pending provisioning" (SSID,
  passphrase and server id are in the record), flag 0 means "configured", and no record at all
  means it must wait for the device's processor to send a PROVISION frame on the UART. The server
  id is looked up in the access config table preset in the module's flash (host and port); a server
  id with no usable entry there leaves the module waiting for PROVISION too. The module connects to
  that vendor server and, when the vendor server is not the target OTA server (another host or
  port, whatever its server id), to the target server too, and reports its WiFi firmware version
  there.

  Scenario: A configured module connects to its vendor server and to the target server at boot
    Given the module is configured for vendor server "acme"
    And the bench is powered on
    Then the module is connected to vendor server "acme"
    And the target server holds a report from the module with WiFi firmware "2.0.0" and vendor server "acme"

  Scenario: A module with pending provisioning joins, connects and then marks itself configured
    Given the module has pending provisioning for vendor server "acme" on SSID "hilrig-lab" with passphrase "hilrig-pass"
    And the bench is powered on
    Then the module is connected to vendor server "acme"
    And the module's network config flag is 0

  Scenario: A module without network config waits for the processor's PROVISION on the UART
    Given the module has no network config
    And the bench is powered on
    Then the module's log says it is waiting for the processor's PROVISION
    And vendor server "acme" has no connection from the module
    When the processor sends PROVISION for vendor server "acme" on SSID "hilrig-lab" with passphrase "hilrig-pass"
    Then the module answers PROVISION_ACK "ACCEPTED"
    And the module is connected to vendor server "acme"
    And the module's network config flag is 0

  Scenario: A PROVISION naming a server id the module does not know is refused and nothing is stored
    Given the module has no network config
    And the bench is powered on
    When the processor sends PROVISION for vendor server "nobody" on SSID "hilrig-lab" with passphrase "hilrig-pass"
    Then the module answers PROVISION_ACK "UNKNOWN_SERVER"
    And the module has no network config

  Scenario: A wrong WiFi passphrase is retried and logged until the processor sends the right one
    Given the module has pending provisioning for vendor server "acme" on SSID "hilrig-lab" with passphrase "wrong-pass"
    And the bench is powered on
    Then the module's log says "SSID 'hilrig-lab' refused the passphrase" at least twice
    When the processor sends PROVISION for vendor server "acme" on SSID "hilrig-lab" with passphrase "hilrig-pass"
    Then the module is connected to vendor server "acme"

  Scenario: A module whose vendor server is the target server keeps one connection for both
    Given the module is configured for vendor server "hilrig-ota"
    And the bench is powered on
    Then the target server holds a report from the module with WiFi firmware "2.0.0" and vendor server "hilrig-ota"
    And vendor server "acme" has no connection from the module
    And the module answers "ping" with "pong" through vendor server "hilrig-ota"

  Scenario: A vendor server id at the target server's host and port is recognised as the target server
    Given the module's access config table lists server id "ota-alias" at the target server's host and port
    And the module is configured for vendor server "ota-alias"
    And the bench is powered on
    Then the target server holds a report from the module with WiFi firmware "2.0.0" and vendor server "ota-alias"
    And the module answers "ping" with "pong" through vendor server "hilrig-ota"
    And the target server saw exactly one connection from the module
    And vendor server "acme" has no connection from the module

  Scenario Outline: A configured module whose server id has no usable access config waits for the processor's PROVISION
    Given the module is configured for vendor server "<server id>"
    And <what the factory table holds>
    And the bench is powered on
    Then the module's log says it is waiting for the processor's PROVISION
    And vendor server "acme" has no connection from the module
    And vendor server "hilrig-ota" has no connection from the module
    When the processor sends PROVISION for vendor server "rival" on SSID "hilrig-lab" with passphrase "hilrig-pass"
    Then the module answers PROVISION_ACK "ACCEPTED"
    And the module is connected to vendor server "rival"
    And the module's network config flag is 0

    Examples:
      | server id | what the factory table holds                                           |
      | gone      | the module's access config table has no entry for server id "gone"     |
      | acme      | the module's access config for server id "acme" has no host and port 0 |

  Scenario: A vendor server that refuses connections at boot is retried until it accepts
    Given the module is configured for vendor server "acme"
    And vendor server "acme" will refuse connections for 3000 ms from the module's first attempt
    And the bench is powered on
    Then the module is connected to vendor server "acme"
    And the module's log says "cannot connect" at least twice
