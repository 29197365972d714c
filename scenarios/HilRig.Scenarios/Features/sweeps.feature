@sim @faults @sweep @slow
Feature: Exhaustive power-cut sweeps
  Like MCUboot's simulator, the rig repeats the upgrade of one chip once for every point where the
  power could fail, with a single cut at that point, on a fresh bench each time, and checks after
  every cut that every chip came back in the mode it had persisted and that the upgrade then
  finished with the exact image. No point is skipped. The image is small and the bench runs at
  921600 baud so that each point takes a couple of seconds.

  Scenario: The whole device loses power at every frame boundary of chip2's transfer
    When the power is cut at every frame boundary of chip2's transfer
    Then every cut point recovered and no chip was bricked
    And at most one window of image bytes was sent again at any cut point

  Scenario: chip2 loses power inside every one of its flash operations
    When the power is cut at every flash operation of chip2's transfer
    Then every cut point recovered and no chip was bricked
    And at most one window of image bytes was sent again at any cut point
